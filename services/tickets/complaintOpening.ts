/**
 * What a client's first words already tell a complaint. Many clients open with the whole story
 * ("我要投诉，网银转账三天都失败了，影响给供应商付款"); asking them to describe it again loses
 * patience, so such an opening is kept as the description. A bare opening ("我要投诉",
 * "I'd like to make a complaint") is not a description: the opening phrase is set aside before
 * the length is measured, so only what the client said about the problem counts.
 */

/**
 * Without Chinese characters, also this many words: ten letters are three English words
 * ("loan is late"), which name a problem but do not describe it.
 */
export const MIN_DESCRIPTION_WORDS_WITHOUT_HAN = 5;

/** Separators clients put after the opening phrase ("投诉：…", "complaint - …"). */
const LEADING_SEPARATORS = /^[\s,，.。:：;；!！\-–—]+/u;

/** Characters as a client sees them (a Chinese character counts once). */
export function complaintCharCount(text: string): number {
  return [...text.trim()].length;
}

/** What an opening message says: whether it starts with a complaint phrase, and the description it holds. */
export interface ComplaintOpening {
  /** It starts with one of the opening phrases ("我要投诉…", "I want to complain…"). */
  saysComplaint: boolean;
  /** The text itself (trimmed) when it describes the problem; undefined when the description must be asked for. */
  description: string | undefined;
  /** It would describe the problem but is longer than a description may be (its length, to say so). */
  tooLong?: number;
}

/**
 * Reads an opening message. It describes the problem when, without its opening phrase, it has at
 * least `minLength` and at most `maxLength` characters (and, without Chinese characters, at least
 * {@link MIN_DESCRIPTION_WORDS_WITHOUT_HAN} words). `openingPhrases` are matched at the start,
 * case-insensitively, longest first.
 */
export function readComplaintOpening(text: string, openingPhrases: readonly string[], minLength: number, maxLength: number): ComplaintOpening {
  const trimmed = text.normalize('NFKC').trim();
  const lower = trimmed.toLowerCase();
  const phrase = [...openingPhrases]
    .map((p) => p.normalize('NFKC').toLowerCase())
    .sort((a, b) => b.length - a.length)
    .find((p) => p && lower.startsWith(p));
  const rest = (phrase ? trimmed.slice(phrase.length) : trimmed).replace(LEADING_SEPARATORS, '');
  const saysComplaint = Boolean(phrase);
  if (complaintCharCount(rest) < minLength) return { saysComplaint, description: undefined };
  if (complaintCharCount(trimmed) > maxLength) return { saysComplaint, description: undefined, tooLong: complaintCharCount(trimmed) };
  if (!/\p{Script=Han}/u.test(rest) && (rest.match(/[\p{L}\p{N}]+/gu) ?? []).length < MIN_DESCRIPTION_WORDS_WITHOUT_HAN) return { saysComplaint, description: undefined };
  return { saysComplaint, description: text.trim() };
}
