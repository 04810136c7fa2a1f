import { createRequire } from 'node:module';
import path from 'node:path';
import type { Language } from '../i18n/localizer';

/** The Chinese lexicon file's shape (data/sentiment-zh.json). */
export interface ChineseLexicon {
  phrases: Record<string, number>;
}

interface NaturalSentimentAnalyzer { getSentiment(tokens: string[]): number }
type SentimentAnalyzerConstructor = new (language: string, stemmer: unknown, vocabulary: string) => NaturalSentimentAnalyzer;

const requireFromHere = createRequire(__filename);
/** natural's leaf modules, required by path: natural's root import reads .env and prints (see naturalLoader). */
function naturalLeaf<T>(relative: string): T {
  const root = path.join(path.dirname(requireFromHere.resolve('natural/package.json')), 'lib', 'natural');
  return requireFromHere(path.join(root, relative)) as T;
}

/** What one message did to the run of negative messages. */
export interface SentimentObservation {
  /** The message's score: below zero is negative. */
  score: number;
  negative: boolean;
  /** Negative messages in a row, this one included. */
  streak: number;
  /** True exactly when this message completes the run that should bring in a person. */
  escalate: boolean;
}

/** How the monitor scores and when it escalates. */
export interface SentimentMonitorOptions {
  /** Negative messages in a row that bring in a person (default 3). */
  threshold?: number;
  /** A score below this is negative (default -0.05). */
  negativeBelow?: number;
  /** English word lists (data/sentiment-en.json). */
  english?: { topicWords?: readonly string[]; neutralMessages?: readonly string[] };
}

/**
 * Scores messages (English: natural's `SentimentAnalyzer` with the AFINN vocabulary; Chinese:
 * a small lexicon of phrases) and counts negative messages in a row. The caller keeps the
 * streak in conversation state; after `threshold` negative messages (default 3) it escalates.
 */
export class SentimentMonitor {
  private readonly english: NaturalSentimentAnalyzer;
  private readonly tokenizer: { tokenize(text: string): string[] };
  private readonly phrases: Array<[string, number]>;

  private readonly englishTopicWords: ReadonlySet<string>;
  private readonly englishNeutralMessages: ReadonlySet<string>;

  /**
   * `english.topicWords`: words left out of English scoring because they name the client's matter,
   * not their feelings ("where is my complaint?", "I lost my token"); `english.neutralMessages`:
   * whole replies scored 0 ("no thanks", which natural reads as negated thanks). See data/sentiment-en.json.
   */
  private readonly threshold: number;
  private readonly negativeBelow: number;

  constructor(lexicon: ChineseLexicon, options: SentimentMonitorOptions = {}) {
    if (!lexicon?.phrases) throw new Error('SentimentMonitor needs a Chinese lexicon');
    this.threshold = options.threshold ?? 3;
    this.negativeBelow = options.negativeBelow ?? -0.05;
    const english = options.english ?? {};
    this.englishTopicWords = new Set((english.topicWords ?? []).map((w) => w.toLowerCase()));
    this.englishNeutralMessages = new Set((english.neutralMessages ?? []).map(wholeMessage));
    const Analyzer = naturalLeaf<SentimentAnalyzerConstructor>('sentiment/SentimentAnalyzer.js');
    this.english = new Analyzer('English', null, 'afinn');
    const Tokenizer = naturalLeaf<{ WordTokenizer: new () => { tokenize(text: string): string[] } }>('tokenizers/regexp_tokenizer.js').WordTokenizer;
    this.tokenizer = new Tokenizer();
    this.phrases = Object.entries(lexicon.phrases).sort((a, b) => b[0].length - a[0].length);
  }

  /** The message's sentiment score (negative below zero). Chinese text is scored with the lexicon whatever the language. */
  score(text: string, language: Language): number {
    if (/[\u4e00-\u9fff]/.test(text) || (language === 'zh-CN' && !/[a-z]/i.test(text))) return this.scoreChinese(text);
    if (this.englishNeutralMessages.has(wholeMessage(text))) return 0;
    const tokens = this.tokenizer.tokenize(text.toLowerCase()).filter((token) => !this.englishTopicWords.has(token));
    if (tokens.length === 0) return 0;
    return this.english.getSentiment(tokens);
  }

  /** Adds one message to the streak the caller kept. */
  observe(previousStreak: number, text: string, language: Language): SentimentObservation {
    const score = this.score(text, language);
    const negative = score < this.negativeBelow;
    const streak = negative ? previousStreak + 1 : 0;
    return { score, negative, streak, escalate: negative && streak === this.threshold };
  }

  private scoreChinese(text: string): number {
    let rest = text;
    let total = 0;
    for (const [phrase, value] of this.phrases) {
      while (rest.includes(phrase)) {
        total += value;
        rest = rest.replace(phrase, ' ');
      }
    }
    return total;
  }
}

/** A reply as a whole, for matching: lower case, punctuation and extra spaces gone. */
function wholeMessage(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\p{P}]+/gu, ' ').replace(/\s+/g, ' ').trim();
}
