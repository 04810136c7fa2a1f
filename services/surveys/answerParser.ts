import type { SurveyChoice, SurveyQuestion } from './surveyDefinition';
import type { SurveyAnswerValue } from './surveyResponseRepository';
import { chineseNumber, choiceOrdinal } from '../i18n/numerals';

/** Words that mean a score, skip, a decline, and how lists are written (data/surveyVocabulary.json). */
export interface SurveyVocabulary {
  ratingWords: Record<'1' | '2' | '3' | '4' | '5', string[]>;
  scoreSuffixes: string[];
  scorePrefixes: string[];
  skip: string[];
  decline: string[];
  listSeparators: string[];
}

/** Why a typed answer was not accepted; the dialog turns it into a localized hint. */
export type InvalidAnswerReason = 'empty' | 'not_a_score' | 'out_of_range' | 'unknown_choice' | 'one_choice_only' | 'too_long';

/** The outcome of parsing one answer. */
export type ParsedAnswer =
  | { ok: true; value: Exclude<SurveyAnswerValue, null> }
  | { ok: false; reason: InvalidAnswerReason; min?: number; max?: number; unknown?: string };

/** Score ranges per question type. */
export const SCORE_RANGES = { rating: { min: 1, max: 5 }, nps: { min: 0, max: 10 } } as const;

const MAX_TEXT_LENGTH = 2000;
const ENGLISH_NUMBERS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

/**
 * Parses what a client typed (or a card submitted) as the answer to one survey question, in
 * either language whatever the conversation's language: scores as digits, Chinese numerals or
 * words ("五星", "very satisfied", "满意"); choices by id, number ("2", "第二个"), label or
 * synonym; several choices separated by commas, 、, "和" or "and".
 */
export class AnswerParser {
  private readonly ratingPhrases: Array<[string, number]>;
  private readonly suffixes: string[];
  private readonly prefixes: string[];
  private readonly skipWords: Set<string>;
  private readonly declineWords: Set<string>;
  private readonly separators: RegExp;

  constructor(vocabulary: SurveyVocabulary) {
    if (!vocabulary?.ratingWords || !vocabulary.skip || !vocabulary.listSeparators) throw new Error('AnswerParser needs the survey vocabulary');
    this.ratingPhrases = Object.entries(vocabulary.ratingWords)
      .flatMap(([score, words]) => words.map((w) => [normalize(w), Number(score)] as [string, number]))
      .sort((a, b) => b[0].length - a[0].length);
    this.suffixes = vocabulary.scoreSuffixes.map((s) => s.toLowerCase()).sort((a, b) => b.length - a.length);
    this.prefixes = vocabulary.scorePrefixes.map((s) => s.toLowerCase()).sort((a, b) => b.length - a.length);
    this.skipWords = new Set(vocabulary.skip.map(normalize));
    this.declineWords = new Set(vocabulary.decline.map(normalize));
    const escaped = vocabulary.listSeparators.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.separators = new RegExp(escaped.join('|'), 'i');
  }

  /** True when the client asks to skip the question ("skip", "跳过"). */
  isSkip(text: string | undefined): boolean {
    return !!text && this.skipWords.has(normalize(text));
  }

  /** True when the client declines an offered survey ("no thanks", "不用了"). */
  isDecline(text: string | undefined): boolean {
    return !!text && this.declineWords.has(normalize(text));
  }

  /** Parses `input` (typed text, or a card's submitted value) as an answer to `question`. */
  parse(question: SurveyQuestion, input: string | number | string[] | undefined | null): ParsedAnswer {
    if (input === undefined || input === null) return { ok: false, reason: 'empty' };
    if (Array.isArray(input)) input = input.join(',');
    const text = String(input).trim();
    if (!text) return { ok: false, reason: 'empty' };
    switch (question.type) {
      case 'rating':
      case 'nps':
        return this.parseScore(text, SCORE_RANGES[question.type], question.type === 'rating');
      case 'single':
        return this.parseChoices(text, question.choices ?? [], false);
      case 'multiple':
        return this.parseChoices(text, question.choices ?? [], true);
      case 'text':
        return text.length > MAX_TEXT_LENGTH ? { ok: false, reason: 'too_long', max: MAX_TEXT_LENGTH } : { ok: true, value: text };
    }
  }

  private parseScore(text: string, range: { min: number; max: number }, useWords: boolean): ParsedAnswer {
    const n = normalize(text);
    const number = this.scoreNumber(n);
    if (number !== undefined) {
      if (!Number.isInteger(number) || number < range.min || number > range.max) return { ok: false, reason: 'out_of_range', ...range };
      return { ok: true, value: number };
    }
    if (useWords) {
      const hit = this.ratingPhrases.find(([phrase]) => n === phrase) ?? this.ratingPhrases.find(([phrase]) => containsPhrase(n, phrase));
      if (hit) return { ok: true, value: hit[1] };
    }
    return { ok: false, reason: 'not_a_score', ...range };
  }

  /** A score written as digits or a numeral, with optional "打"/"give" before and "分"/"stars"/"/5" after. */
  private scoreNumber(n: string): number | undefined {
    let s = n.replace(/\s+/g, ' ').trim();
    for (const p of this.prefixes) if (s.startsWith(p)) { s = s.slice(p.length).trim(); break; }
    for (const suffix of this.suffixes) if (s.endsWith(suffix)) { s = s.slice(0, -suffix.length).trim(); break; }
    s = s.replace(/^(?:a|an)\s+/, '');
    if (/^-?\d+(?:\.\d+)?$/.test(s)) return Number(s);
    const english = ENGLISH_NUMBERS.indexOf(s);
    if (english >= 0) return english;
    return chineseNumber(s);
  }

  private parseChoices(text: string, choices: SurveyChoice[], multiple: boolean): ParsedAnswer {
    const whole = this.matchChoice(text, choices);
    if (whole) return { ok: true, value: multiple ? [whole.id] : whole.id };
    const parts = text.split(this.separators).map((p) => p.trim()).filter(Boolean);
    if (parts.length > 1 && !multiple) {
      return parts.every((p) => this.matchChoice(p, choices)) ? { ok: false, reason: 'one_choice_only' } : { ok: false, reason: 'unknown_choice', unknown: text };
    }
    if (parts.length <= 1) {
      const contained = this.containedChoice(text, choices);
      if (contained) return { ok: true, value: multiple ? [contained.id] : contained.id };
      return { ok: false, reason: 'unknown_choice', unknown: text };
    }
    const ids: string[] = [];
    for (const part of parts) {
      // Each part as its own answer: named exactly, else by a name inside it ("审批速度" names 速度).
      const choice = this.matchChoice(part, choices) ?? this.containedChoice(part, choices);
      if (!choice) return { ok: false, reason: 'unknown_choice', unknown: part };
      if (!ids.includes(choice.id)) ids.push(choice.id);
    }
    // Keep the definition's order, so "3和1" and "1, 3" store the same answer.
    return { ok: true, value: choices.map((c) => c.id).filter((id) => ids.includes(id)) };
  }

  /** A choice named exactly: by id, number or ordinal, label or synonym in either language. */
  private matchChoice(text: string, choices: SurveyChoice[]): SurveyChoice | undefined {
    const n = normalize(text);
    if (!n) return undefined;
    const byId = choices.find((c) => c.id.toLowerCase() === n);
    if (byId) return byId;
    const index = choiceOrdinal(n);
    if (index !== undefined) return choices[index - 1];
    return choices.find((c) => names(c).some((name) => name === n));
  }

  /**
   * Whether an answer that did not parse was still an attempt at this question: a score out of
   * range, too many choices, a choice named among other words. Only a reply that is none of these
   * may be something else (a new request).
   */
  triedToAnswer(question: SurveyQuestion, text: string, parsed: Extract<ParsedAnswer, { ok: false }>): boolean {
    if (parsed.reason !== 'not_a_score' && parsed.reason !== 'unknown_choice') return true;
    if (question.type !== 'single' && question.type !== 'multiple') return false;
    const choices = question.choices ?? [];
    return Boolean(this.containedChoice(text, choices) || text.split(this.separators).some((part) => this.matchChoice(part.trim(), choices)));
  }

  /** A choice whose label or synonym appears inside a longer sentence (the longest wins). */
  private containedChoice(text: string, choices: SurveyChoice[]): SurveyChoice | undefined {
    const n = normalize(text);
    const candidates = choices.flatMap((c) => names(c).map((name) => [name, c] as const)).filter(([name]) => name.length >= 2 && containsPhrase(n, name));
    candidates.sort((a, b) => b[0].length - a[0].length);
    return candidates[0]?.[1];
  }
}

function names(choice: SurveyChoice): string[] {
  return [choice.label['zh-CN'], choice.label.en, ...(choice.synonyms?.['zh-CN'] ?? []), ...(choice.synonyms?.en ?? [])].map(normalize);
}

/** English phrases must match whole words ("good" is not in "goodbye"); Chinese ones anywhere. */
function containsPhrase(text: string, phrase: string): boolean {
  if (!/[a-z]/.test(phrase)) return text.includes(phrase);
  return ` ${text} `.includes(` ${phrase} `);
}

/** NFKC (full-width digits to ASCII), lower case, punctuation to spaces except inside scores like "4.5" or "5/5". */
function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase()
    .replace(/[!?！？。…~～"“”'‘’()（）【】[\]<>《》:：]+/g, ' ')
    .replace(/[.,，、;；](?!\d)|(?<!\d)[.,，、;；]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
