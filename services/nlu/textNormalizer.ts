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

/**
 * Domain synonyms folded onto the word the training data uses most, so a client who says
 * "dongle", "grievance" or "网银盾" meets the same features as one who says "token",
 * "complaint" or "U盾". Written from banking vocabulary (not from any test file); applied to
 * already normalised (lower-case, simplified) text, only for classifier features when the
 * model's `synonyms` feature option is on. English entries match whole words.
 */
export const DOMAIN_SYNONYMS: ReadonlyArray<readonly [string, string]> = [
  // English: security device
  ['dongles?', 'token'], ['u-?keys?', 'token'], ['usb (?:keys?|sticks?|devices?|things?)', 'usb token'],
  ['security (?:keys?|devices?)', 'token'], ['authentication (?:keys?|devices?)', 'token'],
  ['(?:digital )?certificate (?:keys?|devices?)', 'token'],
  // English: complaints
  ['grievances?', 'complaint'], ['objections?', 'complaint'],
  // English: phone calls
  ['telephone', 'phone'], ['ring me', 'call me'], ['give me a ring', 'call me'], ['dial', 'call'],
  ['phone call', 'call'],
  // English: online banking
  ['internet banking', 'online banking'], ['e-?banking', 'online banking'], ['net ?banking', 'online banking'],
  ['web (?:portal|banking)', 'online banking'],
  // English: thanks
  ['much obliged', 'thanks'], ['obliged', 'thanks'], ['ty', 'thank you'], ['thx', 'thanks'],
  // English: misc banking
  ['apr', 'interest rate'], ['instal?ments?', 'repayment'],
  // Chinese
  ['网银盾', 'U盾'], ['key盾', 'U盾'], ['ukey', 'U盾'], ['u key', 'U盾'], ['安全令牌', 'U盾'], ['令牌', 'U盾'],
  ['证书key', 'U盾'], ['网上银行', '网银'], ['企业网银', '对公网银'], ['申诉', '投诉'],
  ['来电', '回电'], ['致电', '回电'], ['利息', '利率'], ['年化', '利率'],
];

const SYNONYM_RULES: ReadonlyArray<readonly [RegExp, string]> = DOMAIN_SYNONYMS.map(([from, to]) => [
  /^[a-z]/.test(from) ? new RegExp(`(?<![a-z0-9])${from}(?![a-z0-9])`, 'g') : new RegExp(from, 'g'),
  to.toLowerCase(),
]);

/** Replaces {@link DOMAIN_SYNONYMS} in normalised text. */
export function canonicalizeSynonyms(normalized: string): string {
  let s = normalized;
  for (const [pattern, to] of SYNONYM_RULES) if (pattern.test(s)) { pattern.lastIndex = 0; s = s.replace(pattern, to); }
  return s;
}
