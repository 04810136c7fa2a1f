/**
 * Turns normalised text into sparse TF-IDF vectors.
 *
 * English (and any Latin/digit run inside Chinese text) goes through natural's tokenizer and
 * Porter stemmer into word n-grams, plus character n-grams inside word boundaries (`char_wb`),
 * which catch typos and morphology the stemmer misses. Chinese, which natural cannot segment,
 * is read as character unigrams, bigrams and trigrams within each run of Han characters.
 */
import { createWordTokenizer, PorterStemmer } from './naturalLoader';
import { canonicalizeSynonyms } from './textNormalizer';

/** What to extract; stored in the model so recognition repeats training exactly. */
export interface FeatureOptions {
  /** Longest stemmed word n-gram (1 = unigrams only). */
  wordNgramMax: number;
  /** Also emit unstemmed word unigrams. */
  rawWords: boolean;
  /** Character n-gram lengths inside padded English words; `charNgramMax` 0 turns them off. */
  charNgramMin: number;
  charNgramMax: number;
  /** Character n-grams over the whole Latin text (spanning words) instead of inside each word. */
  charAcrossWords: boolean;
  /** Also emit stemmed word pairs with one word skipped ("card _ arrive"). */
  skipGrams: boolean;
  /** Longest Han character n-gram. */
  hanNgramMax: number;
  /** Weight of the character n-gram block relative to the word block. */
  charWeight: number;
  /** Terms seen in fewer training texts than this are dropped. */
  minDf: number;
  /** Also emit unordered pairs of distinct word stems anywhere in the text ("arriv+card"); absent = off. */
  wordPairs?: boolean;
  /** Keep function words in word pairs. */
  pairStopWords?: boolean;
  /** When set, word pairs form their own L2-normalised block with this weight (else they join the word block). */
  pairWeight?: number;
  /** Fold domain synonyms (textNormalizer's DOMAIN_SYNONYMS) before extracting terms; absent in older models = off. */
  synonyms?: boolean;
}

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = {
  wordNgramMax: 3,
  rawWords: true,
  charNgramMin: 2,
  charNgramMax: 5,
  charAcrossWords: false,
  skipGrams: false,
  hanNgramMax: 2,
  charWeight: 1,
  minDf: 1,
};

/** A sparse vector: ascending feature indices and their values. */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

const tokenizer = createWordTokenizer();

/** natural's Porter stemmer costs ~15 µs a word; vocabularies are small, so memoise (bounded). */
const stemCache = new Map<string, string>();
const STEM_CACHE_LIMIT = 50_000;

function stem(token: string): string {
  let stemmed = stemCache.get(token);
  if (stemmed === undefined) {
    stemmed = PorterStemmer.stem(token);
    if (stemCache.size >= STEM_CACHE_LIMIT) stemCache.clear();
    stemCache.set(token, stemmed);
  }
  return stemmed;
}
/** Function words left out of word pairs (stemmed forms). */
const PAIR_STOP_WORDS = new Set(['a', 'an', 'the', 'i', 'me', 'my', 'to', 'of', 'is', 'it', 'for', 'and', 'on', 'in', 'do', 'be', 'can', 'how', 'what', 'thi', 'that', 'with', 'have', 'ha', 'wa', 'are', 'am', '<num>']);
const HAN_RUN = /\p{Script=Han}+/gu;
const DIGITS = /^\d+([.,]\d+)*$/;

/** Terms with a prefix naming their kind; char-level terms start with `c` or `h`. */
export function extractTerms(normalizedText: string, options: FeatureOptions): string[] {
  const normalized = options.synonyms ? canonicalizeSynonyms(normalizedText) : normalizedText;
  const terms: string[] = [];
  const latinText = normalized.replace(HAN_RUN, ' | ');
  const stems: string[] = [];
  for (const piece of latinText.split('|')) {
    const tokens = tokenizer.tokenize(piece);
    for (const raw of tokens) {
      const token = raw.replace(/^['\-/]+|['\-/]+$/g, '');
      if (token.length === 0) continue;
      const isNumber = DIGITS.test(token);
      const stemmed = isNumber ? '<num>' : stem(token);
      stems.push(stemmed);
      if (options.rawWords && !isNumber && stemmed !== token) terms.push(`r:${token}`);
      if (options.charNgramMax > 0 && !isNumber && !options.charAcrossWords) addCharGrams(terms, ` ${token} `, options);
    }
    if (options.charNgramMax > 0 && options.charAcrossWords && tokens.length > 0) addCharGrams(terms, ` ${tokens.join(' ')} `, options);
    stems.push('');
  }
  for (let n = 1; n <= options.wordNgramMax; n++) {
    for (let i = 0; i + n <= stems.length; i++) {
      let gram = stems[i];
      if (gram === '') continue;
      let ok = true;
      for (let j = 1; j < n; j++) {
        const next = stems[i + j];
        if (next === '') { ok = false; break; }
        gram += ' ' + next;
      }
      if (ok) terms.push(`w${n}:${gram}`);
    }
  }
  if (options.skipGrams) {
    for (let i = 0; i + 2 < stems.length; i++) {
      if (stems[i] !== '' && stems[i + 1] !== '' && stems[i + 2] !== '') terms.push(`s:${stems[i]} _ ${stems[i + 2]}`);
    }
  }
  if (options.wordPairs) {
    const distinct = [...new Set(stems.filter((s) => s !== '' && (options.pairStopWords || !PAIR_STOP_WORDS.has(s))))].sort();
    if (distinct.length <= 24) {
      for (let i = 0; i < distinct.length; i++) for (let j = i + 1; j < distinct.length; j++) terms.push(`p:${distinct[i]}+${distinct[j]}`);
    }
  }
  for (const match of normalized.matchAll(HAN_RUN)) {
    const run = Array.from(match[0]);
    for (let n = 1; n <= options.hanNgramMax; n++) {
      for (let i = 0; i + n <= run.length; i++) terms.push(`h:${run.slice(i, i + n).join('')}`);
    }
  }
  return terms;
}

function addCharGrams(terms: string[], padded: string, options: FeatureOptions): void {
  for (let n = options.charNgramMin; n <= options.charNgramMax; n++) {
    if (n > padded.length) break;
    for (let i = 0; i + n <= padded.length; i++) terms.push(`c:${padded.slice(i, i + n)}`);
  }
}

function isCharTerm(term: string): boolean {
  return term.charCodeAt(0) === 99 /* c */;
}

/** Vocabulary and IDF weights learnt from training texts; turns terms into L2-normalised vectors. */
export class TfidfVectorizer {
  private readonly index: Map<string, number>;

  constructor(
    readonly options: FeatureOptions,
    readonly vocabulary: string[],
    readonly idf: Float32Array,
  ) {
    this.index = new Map(vocabulary.map((term, i) => [term, i]));
  }

  /** Builds the vocabulary (sorted, so the model is byte-for-byte reproducible) and smooth IDF. */
  static fit(termLists: string[][], options: FeatureOptions): TfidfVectorizer {
    const df = new Map<string, number>();
    for (const terms of termLists) {
      for (const term of new Set(terms)) df.set(term, (df.get(term) ?? 0) + 1);
    }
    const vocabulary = [...df.entries()].filter(([, count]) => count >= options.minDf).map(([term]) => term).sort();
    const n = termLists.length;
    const idf = new Float32Array(vocabulary.length);
    vocabulary.forEach((term, i) => { idf[i] = Math.log((1 + n) / (1 + (df.get(term) ?? 0))) + 1; });
    return new TfidfVectorizer(options, vocabulary, idf);
  }

  get dimension(): number {
    return this.vocabulary.length;
  }

  /** Sublinear TF × IDF, word and char blocks each L2-normalised, then weighted and renormalised. */
  transform(terms: string[]): SparseVector {
    const counts = new Map<number, number>();
    for (const term of terms) {
      const i = this.index.get(term);
      if (i !== undefined) counts.set(i, (counts.get(i) ?? 0) + 1);
    }
    const indices = Int32Array.from(counts.keys()).sort();
    const values = new Float32Array(indices.length);
    const pairBlock = this.options.pairWeight !== undefined;
    const blockOf = (term: string): number => (isCharTerm(term) ? 1 : pairBlock && term.charCodeAt(0) === 112 /* p */ ? 2 : 0);
    const norms = [0, 0, 0];
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      const v = (1 + Math.log(counts.get(i) ?? 1)) * this.idf[i];
      values[k] = v;
      norms[blockOf(this.vocabulary[i])] += v * v;
    }
    const weights = [1, this.options.charWeight, this.options.pairWeight ?? 1];
    const scales = norms.map((n, b) => (n > 0 ? weights[b] / Math.sqrt(n) : 0));
    let total = 0;
    for (let k = 0; k < indices.length; k++) {
      values[k] *= scales[blockOf(this.vocabulary[indices[k]])];
      total += values[k] * values[k];
    }
    const scale = total > 0 ? 1 / Math.sqrt(total) : 0;
    for (let k = 0; k < values.length; k++) values[k] *= scale;
    return { indices, values };
  }
}
