import type { Activity } from 'botbuilder';

/*
 * What counts as personal data here, and why the patterns look the way they do:
 * - Bank card numbers: 16-19 digits, written in one run or in groups of four (the way cards
 *   are printed, e.g. `6222 0212 3456 7890 123`) or 6+rest, with one kind of separator
 *   (space or dash). Requiring that layout keeps a card followed by an amount
 *   (`6222021234567890 100元`) from swallowing the amount.
 * - Chinese resident ID numbers: 6-digit area, a real-looking birth date, 3 digits and a
 *   check character (digit or X); optionally spaced 6-8-4 as people type them.
 * - Not masked: 11-digit phone numbers (too short), and runs glued to a reference code by a
 *   dash or underscore (`CMP-20261129-4F7Q`, `REF-1234567890123456`), which are our own ids.
 * The last 4 characters stay visible so staff can still ask "the card ending 1234?".
 */
const NOT_AFTER = String.raw`(?<![0-9]|[A-Za-z0-9][-_])`;
const NOT_BEFORE = String.raw`(?![0-9]|[-_][A-Za-z0-9])`;
const DATE = String.raw`(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])`;

const RESIDENT_ID = new RegExp(`${NOT_AFTER}\\d{6}( ?)${DATE}\\1\\d{3}[0-9Xx]${NOT_BEFORE.replace('[0-9]', '[0-9A-Za-z]')}`, 'g');
const CARD_PATTERNS = [
  new RegExp(`${NOT_AFTER}\\d{16,19}${NOT_BEFORE}`, 'g'),
  new RegExp(`${NOT_AFTER}\\d{4}([ -])\\d{4}\\1\\d{4}\\1\\d{4}(?:\\1?\\d{1,3})?${NOT_BEFORE}`, 'g'),
  new RegExp(`${NOT_AFTER}\\d{6}([ -])\\d{10,13}${NOT_BEFORE}`, 'g'),
];

/** Replaces every letter or digit but the last four with `*`, keeping separators where they were. */
function keepLastFour(match: string): string {
  let toKeep = 4;
  const chars = [...match];
  for (let i = chars.length - 1; i >= 0; i--) {
    if (!/[0-9Xx]/.test(chars[i])) continue;
    if (toKeep > 0) toKeep--;
    else chars[i] = '*';
  }
  return chars.join('');
}

/**
 * Masks bank card numbers and Chinese resident ID numbers in free text (any language),
 * keeping the last four characters: `6222 0212 3456 7890` → `**** **** **** 7890`.
 */
export function maskPii(text: string): string {
  if (typeof text !== 'string' || text.length < 16) return text;
  let masked = text.replace(RESIDENT_ID, keepLastFour);
  for (const pattern of CARD_PATTERNS) masked = masked.replace(pattern, keepLastFour);
  return masked;
}

/** A deep copy of plain data with every string passed through `mapString`; Dates stay Dates. */
function mapStrings(value: unknown, mapString: (s: string) => string): unknown {
  if (typeof value === 'string') return mapString(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, mapString));
  if (value instanceof Date) return new Date(value.getTime());
  if (value && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) copy[k] = mapStrings(v, mapString);
    return copy;
  }
  return value;
}

const keep = (s: string) => s;

/**
 * A deep copy of the activity with personal data masked wherever a user or the bot writes
 * free text: `text`, `speak`, `summary`, every string inside `value`, and every string inside
 * each attachment's `content` (cards). The original is not modified.
 */
export function maskActivity<T extends Partial<Activity>>(activity: T): T {
  if (!activity) return activity;
  const copy = mapStrings(activity, keep) as Record<string, unknown>;
  for (const field of ['text', 'speak', 'summary'] as const) {
    if (typeof copy[field] === 'string') copy[field] = maskPii(copy[field] as string);
  }
  if (copy.value !== undefined) copy.value = mapStrings(copy.value, maskPii);
  if (Array.isArray(copy.attachments)) {
    copy.attachments = copy.attachments.map((a: any) => (a && typeof a === 'object' && a.content !== undefined ? { ...a, content: mapStrings(a.content, maskPii) } : a));
  }
  return copy as T;
}
