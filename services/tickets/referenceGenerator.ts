import crypto from 'node:crypto';
import { DateTime } from 'luxon';

/** Prefixes of the references clients quote: complaints and callbacks. */
export type ReferencePrefix = 'CMP' | 'CBK';

/** No 0/O, 1/I/L look-alikes: a client reads the reference out over the phone. */
export const REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

const REFERENCE_PATTERN = new RegExp(`^(CMP|CBK)-(\\d{8})-([${REFERENCE_ALPHABET}]{4})$`);
const REFERENCE_IN_TEXT = new RegExp(`\\b(CMP|CBK)-(\\d{8})-([${REFERENCE_ALPHABET}]{4})\\b`, 'i');

/**
 * A new reference `PREFIX-YYYYMMDD-XXXX`: the date of `at` in the business zone and four
 * random characters. Not unique by itself: the repositories' unique index and retry make it so.
 */
export function generateReference(prefix: ReferencePrefix, at: Date, timeZone: string): string {
  if (prefix !== 'CMP' && prefix !== 'CBK') throw new Error(`Unknown reference prefix "${prefix}"`);
  const date = DateTime.fromJSDate(at, { zone: timeZone });
  if (!date.isValid) throw new Error(`Cannot make a reference date from ${String(at)} in ${timeZone}`);
  let suffix = '';
  for (let i = 0; i < 4; i++) suffix += REFERENCE_ALPHABET[crypto.randomInt(REFERENCE_ALPHABET.length)];
  return `${prefix}-${date.toFormat('yyyyLLdd')}-${suffix}`;
}

/** Whether `text` is exactly a reference (upper case, as generated). */
export function isReference(text: string, prefix?: ReferencePrefix): boolean {
  const match = REFERENCE_PATTERN.exec(text);
  return !!match && (!prefix || match[1] === prefix);
}

/**
 * The first reference quoted in a message ("status of cmp-20261129-4f7q"), upper-cased,
 * or undefined. Clients type references in lower case and amid other words.
 */
export function findReference(text: string, prefix?: ReferencePrefix): string | undefined {
  const match = REFERENCE_IN_TEXT.exec(text.normalize('NFKC'));
  if (!match) return undefined;
  const reference = match[0].toUpperCase();
  return isReference(reference, prefix) ? reference : undefined;
}
