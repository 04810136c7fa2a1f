/**
 * Themes of free-text answers: the terms and phrases that stand out in one set of answers
 * (a campaign's) against a background (every answer), scored by TF-IDF, per language.
 *
 * - English: the NLU normalisation (services/nlu/textNormalizer) and natural's word tokenizer
 *   (through services/nlu/naturalLoader); words and two-word phrases within a clause, with
 *   stopwords removed (a phrase never starts or ends with one).
 * - Chinese: the same normalisation (traditional → simplified, full-width folded), words from
 *   the ICU word segmenter (`Intl.Segmenter`, dictionary based), stopwords removed; terms are
 *   words of 2+ characters and joins of two neighbouring words ("客户" + "经理" → "客户经理",
 *   "网" + "银" → "网银").
 *
 * A term's weight is tf × idf, with tf = the number of foreground answers containing it and
 * idf = ln((1 + N) / (1 + df)) + 1 over the N background answers (df = those containing it).
 * A term inside a heavier selected one with the same count ("经理" in "客户经理") is dropped.
 */
import { MAX_INPUT_LENGTH, normalizeText } from '../nlu/textNormalizer';
import { createWordTokenizer } from '../nlu/naturalLoader';
import type { Language } from '../i18n/localizer';

export interface Theme {
  term: string;
  weight: number;
  /** Foreground answers containing the term. */
  count: number;
}

export type Themes = Record<Language, Theme[]>;

export const THEMES_PER_LANGUAGE = 10;

const ENGLISH_STOPWORDS = new Set((
  'a about above after again against all am an and any are as at be because been before being below between both but by can could did do does '
  + 'doing down during each few for from further had has have having he her here hers herself him himself his how i if in into is it its itself '
  + 'just me more most my myself no nor not of off on once only or other our ours ourselves out over own same she should so some such than that '
  + 'the their theirs them themselves then there these they this those through to too under until up very was we were what when where which '
  + 'while who whom why will with would you your yours yourself yourselves also get got really much many lot lots thing things would could '
  + "us im ive dont didnt cant wont isnt it's i'm i've don't didn't can't won't isn't please thanks thank ok okay yes bank one"
).split(/\s+/));
// "not"/"no" stay stopwords for single words, but a phrase such as "not clear" is kept below.
const NEGATIONS = new Set(['not', 'no', 'never', 'too']);

const CHINESE_STOPWORDS = new Set([
  '的', '了', '吗', '呢', '啊', '吧', '呀', '哦', '嗯', '是', '我', '你', '您', '他', '她', '它', '我们', '你们', '您们', '他们', '贵行', '这', '那', '这个', '那个',
  '也', '都', '就', '和', '与', '及', '在', '很', '还', '又', '但', '而', '或', '等', '把', '被', '让', '给', '对', '从', '到', '为', '以', '之', '其',
  '非常', '比较', '还是', '就是', '可以', '一下', '一些', '有点', '觉得', '感觉', '希望', '谢谢', '建议', '一个', '一点', '这样', '那样', '如果',
  '因为', '所以', '但是', '而且', '然后', '已经', '时候', '什么', '怎么', '没什么', '挺', '真', '太', '更', '最', '会', '要', '能', '有', '说', '个', '上', '下',
]);

const CLAUSE_BREAK = /[.,;:!?()[\]{}"/\\|\n\r\t。，、；：！？（）【】「」『』《》…～~]+/u;
const HAN = /\p{Script=Han}/u;
const LATIN_WORD = /^[a-z][a-z'-]*$/;
const segmenter = new Intl.Segmenter('zh-CN', { granularity: 'word' });
const tokenizer = createWordTokenizer();

/** Normalises text of any length: the NLU normaliser cuts at 500 characters, so it is applied in slices. */
function normalizeLong(text: string): string {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += MAX_INPUT_LENGTH) parts.push(normalizeText(text.slice(i, i + MAX_INPUT_LENGTH)));
  return parts.join(' ');
}

/** The English terms of one answer (each once). */
export function englishTerms(text: string): Set<string> {
  const terms = new Set<string>();
  for (const clause of normalizeLong(text).replace(/\p{Script=Han}+/gu, '|').split(CLAUSE_BREAK)) {
    const words = tokenizer.tokenize(clause).map((w) => w.toLowerCase()).filter((w) => LATIN_WORD.test(w) && w.length > 1);
    words.forEach((w, i) => {
      if (!ENGLISH_STOPWORDS.has(w)) terms.add(w);
      const next = words[i + 1];
      if (!next || ENGLISH_STOPWORDS.has(next)) return;
      if (!ENGLISH_STOPWORDS.has(w) || NEGATIONS.has(w)) terms.add(`${w} ${next}`);
    });
  }
  return terms;
}

/** The Chinese terms of one answer (each once). */
export function chineseTerms(text: string): Set<string> {
  const terms = new Set<string>();
  for (const clause of normalizeLong(text).split(CLAUSE_BREAK)) {
    if (!HAN.test(clause)) continue;
    // Words of the clause; anything not Chinese breaks the run of neighbours.
    const words: Array<string | undefined> = [];
    for (const part of segmenter.segment(clause)) {
      if (!part.isWordLike) continue;
      words.push(HAN.test(part.segment) && !CHINESE_STOPWORDS.has(part.segment) ? part.segment : undefined);
    }
    words.forEach((w, i) => {
      if (!w) return;
      if ([...w].length >= 2) terms.add(w);
      const next = words[i + 1];
      if (next && [...w].length + [...next].length <= 6) terms.add(w + next);
    });
  }
  return terms;
}

/** The terms of one answer in one language. */
export function termsOf(text: string, language: Language): Set<string> {
  return language === 'en' ? englishTerms(text) : chineseTerms(text);
}

/** Document frequencies of terms over a set of answers, per language. */
export class TermCounts {
  readonly documents: Record<Language, number> = { 'zh-CN': 0, en: 0 };
  readonly frequency: Record<Language, Map<string, number>> = { 'zh-CN': new Map(), en: new Map() };

  add(text: string): void {
    if (typeof text !== 'string' || !text.trim()) return;
    for (const language of ['zh-CN', 'en'] as const) {
      const terms = termsOf(text, language);
      if (terms.size === 0) continue;
      this.documents[language] += 1;
      const counts = this.frequency[language];
      for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
    }
  }
}

/**
 * The top terms of `foreground` against `background` (which should include the foreground's
 * answers: it is the whole collection the idf is taken over), per language.
 */
export function topThemes(foreground: TermCounts, background: TermCounts, limit = THEMES_PER_LANGUAGE): Themes {
  const result: Themes = { 'zh-CN': [], en: [] };
  for (const language of ['zh-CN', 'en'] as const) {
    const n = Math.max(background.documents[language], foreground.documents[language]);
    const scored: Theme[] = [];
    for (const [term, count] of foreground.frequency[language]) {
      const df = Math.max(background.frequency[language].get(term) ?? 0, count);
      const weight = count * (Math.log((1 + n) / (1 + df)) + 1);
      scored.push({ term, count, weight: Math.round(weight * 1000) / 1000 });
    }
    scored.sort((a, b) => b.weight - a.weight || b.count - a.count || b.term.length - a.term.length || a.term.localeCompare(b.term));
    const chosen: Theme[] = [];
    for (const candidate of scored) {
      if (chosen.length >= limit) break;
      if (chosen.some((c) => c.count === candidate.count && (c.term.includes(candidate.term) || candidate.term.includes(c.term)))) continue;
      chosen.push(candidate);
    }
    result[language] = chosen;
  }
  return result;
}
