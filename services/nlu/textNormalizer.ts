/**
 * Text normalisation shared by training and recognition, so both see the same strings.
 */
import * as OpenCC from 'opencc-js';

/** Longest input, in UTF-16 code units, that is looked at; intents live in the first sentences. */
export const MAX_INPUT_LENGTH = 500;

const toSimplified = OpenCC.Converter({ from: 'tw', to: 'cn' });

// Control and format characters (including zero-width ones) become spaces; lone surrogates go.
const CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const WHITESPACE = /\s+/g;
const HAN = /\p{Script=Han}/u;

/**
 * Normalises a message: NFKC (which also folds full-width letters, digits and punctuation to
 * half-width), traditional → simplified Chinese, case folding, control characters removed and
 * whitespace collapsed. Input longer than {@link MAX_INPUT_LENGTH} is cut first, so the cost
 * stays bounded whatever the client sends.
 */
export function normalizeText(text: string): string {
  if (typeof text !== 'string' || text.length === 0) return '';
  let s = text.length > MAX_INPUT_LENGTH ? text.slice(0, MAX_INPUT_LENGTH) : text;
  s = s.replace(LONE_SURROGATE, '').normalize('NFKC');
  // Full-width forms NFKC leaves alone (ideographic space is handled by NFKC already).
  s = s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  if (HAN.test(s)) s = toSimplified(s);
  return s.toLowerCase().replace(CONTROL, ' ').replace(WHITESPACE, ' ').trim();
}
