import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import yaml from 'js-yaml';
import { LANGUAGES, type Language } from '../i18n/localizer';
import { PorterStemmer, createWordTokenizer } from '../nlu/naturalLoader';

/** The NLU intents the knowledge base answers; each has exactly one primary article. */
export const INQUIRY_INTENTS = [
  'inquiry_loans', 'inquiry_project_financing', 'inquiry_rates', 'inquiry_repayment', 'inquiry_documents',
  'inquiry_application_status', 'inquiry_account_opening', 'inquiry_fees', 'inquiry_online_banking',
  'inquiry_branch_hours', 'inquiry_lost_token_card',
] as const;
export type InquiryIntent = (typeof INQUIRY_INTENTS)[number];

/** Text in both languages. */
export type Bilingual<T = string> = Record<Language, T>;

/** One article of `data/kb/*.yaml|json`. */
export interface KnowledgeArticle {
  id: string;
  /** The NLU intent this article answers, if any. */
  intent?: string;
  /** Set (to the same intent) on the one article that answers the intent when it is recognised. */
  primaryFor?: string;
  title: Bilingual;
  answer: Bilingual;
  keywords: Bilingual<string[]>;
}

/** An article suggested for a free-text question, with its cosine similarity (0..1). */
export interface ScoredArticle {
  article: KnowledgeArticle;
  score: number;
}

export interface KnowledgeBaseOptions {
  /** Folder holding the article files (`.yaml`, `.yml`, `.json`, each a list of articles). */
  directory: string;
  /** Below this similarity an article is not suggested (default 0.06). */
  minSimilarity?: number;
}

type TermDocument = Record<string, number>;
interface NaturalTfIdf {
  addDocument(document: string[], key: string): void;
  idf(term: string): number;
  listTerms(index: number): Array<{ term: string; tfidf: number }>;
  documents: TermDocument[];
}

const requireFromHere = createRequire(__filename);
/**
 * natural's TfIdf from its own file: the package root would run dotenv and print on import
 * (see services/nlu/naturalLoader.ts). tfidf.js needs only underscore, a regexp tokenizer and
 * the stopword list; we hand it pre-tokenised arrays, so neither is used for our documents.
 */
const TfIdf = requireFromHere(path.join(path.dirname(requireFromHere.resolve('natural/package.json')), 'lib', 'natural', 'tfidf', 'tfidf.js')) as new () => NaturalTfIdf;

/** Characters that carry no topic in a question ("我想问一下怎么…"); bigrams still keep them in context. */
const CHINESE_STOP_CHARACTERS = new Set('的了吗呢吧啊我你您们是在有和与及或要请问想一下个这那么怎什如何能可以会就都也还把被对给从到为些'.split(''));
const ENGLISH_STOPWORDS = new Set(('a an the and or of to in on at for from by with about is are was were be been am do does did '
  + 'i me my we our us you your it its this that these those what how when where which who can could would should '
  + 'will shall may might have has had please tell need want get there here any some not no if as so than then').split(' '));

/**
 * Tokens for TF-IDF in either language. Chinese has no spaces, so a run of Han characters
 * becomes its character unigrams and bigrams (bigrams carry most words: 利率, 开户, 挂失);
 * Latin text becomes lower-case Porter stems without stopwords. Mixed text ("U盾", "LPR是多少")
 * gets both.
 */
export function searchTokens(text: string): string[] {
  const tokens: string[] = [];
  const normalized = text.normalize('NFKC').toLowerCase();
  for (const run of normalized.match(/\p{Script=Han}+|[a-z0-9][a-z0-9'/-]*/gu) ?? []) {
    if (/\p{Script=Han}/u.test(run)) {
      const chars = [...run];
      for (const c of chars) if (!CHINESE_STOP_CHARACTERS.has(c)) tokens.push(c);
      for (let i = 0; i + 1 < chars.length; i += 1) tokens.push(chars[i] + chars[i + 1]);
    } else {
      for (const word of wordTokenizer.tokenize(run)) {
        if (!ENGLISH_STOPWORDS.has(word)) tokens.push(PorterStemmer.stem(word));
      }
    }
  }
  return tokens;
}
const wordTokenizer = createWordTokenizer();

/** One language's index: natural's TfIdf over the articles, plus each document's vector length. */
class LanguageIndex {
  private readonly tfidf = new TfIdf();
  private readonly norms: number[] = [];

  constructor(private readonly articles: KnowledgeArticle[], language: Language) {
    for (const article of articles) {
      // Title and keywords say what an article is about; repeating them weighs them above the answer's wording.
      const text = [article.title[language], article.title[language], ...article.keywords[language], ...article.keywords[language], article.answer[language]].join('\n');
      this.tfidf.addDocument(searchTokens(text), article.id);
    }
    for (let d = 0; d < articles.length; d += 1) {
      this.norms.push(Math.sqrt(this.tfidf.listTerms(d).reduce((sum, t) => sum + t.tfidf * t.tfidf, 0)));
    }
  }

  /** Cosine similarity between the question's and each article's TF-IDF vectors. */
  score(question: string): ScoredArticle[] {
    const counts = new Map<string, number>();
    for (const token of searchTokens(question)) counts.set(token, (counts.get(token) ?? 0) + 1);
    if (counts.size === 0) return [];
    const weights = [...counts].map(([term, count]) => ({ term, weight: count * this.tfidf.idf(term) }));
    const queryNorm = Math.sqrt(weights.reduce((sum, w) => sum + w.weight * w.weight, 0));
    return this.articles.map((article, d) => {
      const document = this.tfidf.documents[d];
      const dot = weights.reduce((sum, w) => sum + w.weight * (document[w.term] ?? 0) * this.tfidf.idf(w.term), 0);
      const denominator = queryNorm * this.norms[d];
      return { article, score: denominator > 0 ? dot / denominator : 0 };
    });
  }
}

/**
 * The inquiry knowledge base: bilingual articles loaded from a folder at start-up. A recognised
 * intent maps to its primary article; free text gets the most similar articles by TF-IDF.
 * Invalid files stop the start with the file and article named, so a bad edit never reaches clients.
 */
export class KnowledgeBase {
  private readonly articles: KnowledgeArticle[];
  private readonly byId = new Map<string, KnowledgeArticle>();
  private readonly primary = new Map<string, KnowledgeArticle>();
  private readonly indexes = new Map<Language, LanguageIndex>();
  private readonly minSimilarity: number;

  constructor(options: KnowledgeBaseOptions) {
    if (!options?.directory) throw new Error('KnowledgeBase needs the articles folder');
    this.minSimilarity = options.minSimilarity ?? 0.06;
    this.articles = loadArticles(options.directory);
    for (const article of this.articles) {
      if (this.byId.has(article.id)) throw new Error(`Knowledge base: duplicate article id ${article.id}`);
      this.byId.set(article.id, article);
      if (article.primaryFor) {
        if (this.primary.has(article.primaryFor)) throw new Error(`Knowledge base: two primary articles for ${article.primaryFor}`);
        this.primary.set(article.primaryFor, article);
      }
    }
    for (const language of LANGUAGES) this.indexes.set(language, new LanguageIndex(this.articles, language));
  }

  /** Every article, in file order. */
  all(): readonly KnowledgeArticle[] {
    return this.articles;
  }

  get(id: string): KnowledgeArticle | undefined {
    return this.byId.get(id);
  }

  /** The primary article for an NLU intent, if the knowledge base answers it. */
  articleForIntent(intent: string): KnowledgeArticle | undefined {
    return this.primary.get(intent);
  }

  /**
   * The article that answers `question` under a recognised intent: of the intent's articles, the
   * one most similar to the question ("项目融资要多久" → the timeline, not the overview), or the
   * primary article when none stands out. An article of another topic wins only when the question's
   * words point to it overwhelmingly ("what documents do I need to open a company account", read as
   * the documents intent, is answered by account opening, not by the loan documents list).
   */
  answerForIntent(intent: string, question: string, language: Language): KnowledgeArticle | undefined {
    const primary = this.articleForIntent(intent);
    if (!primary) return undefined;
    const index = this.indexes.get(language);
    const scored = (index && question.trim() ? index.score(question) : [])
      .filter((s) => s.score >= this.minSimilarity)
      .sort((a, b) => b.score - a.score);
    const own = scored.find((s) => s.article.intent === intent);
    const best = scored[0];
    if (best && best.article.intent !== intent && best.score >= DOMINANT_SIMILARITY && best.score >= DOMINANCE_FACTOR * (own?.score ?? 0)) return best.article;
    return own?.article ?? primary;
  }

  /**
   * The `n` articles most similar to `text` in `language`, best first, leaving out those below
   * the minimum similarity and any in `exclude` (articles the client already saw).
   */
  search(text: string, language: Language, n = 3, exclude: readonly string[] = []): ScoredArticle[] {
    const index = this.indexes.get(language);
    if (!index || !text.trim()) return [];
    return index.score(text)
      .filter((s) => s.score >= this.minSimilarity && !exclude.includes(s.article.id))
      .sort((a, b) => b.score - a.score)
      .slice(0, n);
  }
}

/**
 * An article of another topic answers a recognised intent's question when it is at least this
 * similar and this many times as similar as the intent's own best: on Rapport's three development
 * sets it changes 5 answers of 720, all to the article the question is about (docs/NLU.md).
 */
const DOMINANT_SIMILARITY = 0.4;
const DOMINANCE_FACTOR = 2;

function loadArticles(directory: string): KnowledgeArticle[] {
  const files = fs.readdirSync(directory).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  const articles: KnowledgeArticle[] = [];
  for (const file of files) {
    const text = fs.readFileSync(path.join(directory, file), 'utf8');
    const parsed: unknown = file.endsWith('.json') ? JSON.parse(text) : yaml.load(text);
    if (!Array.isArray(parsed)) throw new Error(`Knowledge base: ${file} must hold a list of articles`);
    for (const entry of parsed) articles.push(validateArticle(entry, file));
  }
  return articles;
}

function validateArticle(entry: any, file: string): KnowledgeArticle {
  const where = `${file}: article ${entry?.id ?? '(no id)'}`;
  if (typeof entry?.id !== 'string' || !/^[a-z0-9-]+$/.test(entry.id)) throw new Error(`Knowledge base ${where}: id must be lower-case words joined by "-"`);
  for (const language of LANGUAGES) {
    for (const field of ['title', 'answer'] as const) {
      if (typeof entry[field]?.[language] !== 'string' || !entry[field][language].trim()) throw new Error(`Knowledge base ${where}: ${field}.${language} is missing`);
    }
    if (!Array.isArray(entry.keywords?.[language])) throw new Error(`Knowledge base ${where}: keywords.${language} must be a list`);
  }
  if (entry.primaryFor !== undefined && entry.primaryFor !== entry.intent) throw new Error(`Knowledge base ${where}: primaryFor must equal its intent`);
  return {
    id: entry.id,
    intent: entry.intent ?? undefined,
    primaryFor: entry.primaryFor ?? undefined,
    title: { 'zh-CN': entry.title['zh-CN'], en: entry.title.en },
    answer: { 'zh-CN': entry.answer['zh-CN'].trim(), en: entry.answer.en.trim() },
    keywords: { 'zh-CN': entry.keywords['zh-CN'].map(String), en: entry.keywords.en.map(String) },
  };
}
