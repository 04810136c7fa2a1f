import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** A validated way to reach a client. `value` is E.164 for phones, lower case for email. */
export interface Contact {
  kind: 'mobile' | 'landline' | 'international' | 'email';
  value: string;
}

/** A validated phone number (E.164). */
export type PhoneContact = Contact & { kind: 'mobile' | 'landline' | 'international' };

const CN_MOBILE = /^(?:\+86|0086)?(1[3-9]\d{9})$/;
/**
 * Area code (010, 02X, or a three-digit code after 0) and a 7- or 8-digit number; after
 * +86 the trunk 0 is dropped. Kept structural rather than libphonenumber's per-city
 * lengths, which reject real 7-digit numbers clients still quote (0755-1234567).
 */
const CN_LANDLINE_DOMESTIC = /^0(10|2\d|[3-9]\d{2})([1-9]\d{6,7})$/;
const CN_LANDLINE_E164 = /^(?:\+86|0086)(10|2\d|[3-9]\d{2})([1-9]\d{6,7})$/;
/** Pragmatic address check: one @, a dotted domain with a letter TLD, no spaces. */
const EMAIL = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.[a-z]{2,}$/;

/**
 * Parses a phone number or an email a client typed: Chinese mobile (11 digits 1[3-9]…,
 * optional +86/0086), Chinese landline with its area code (010-12345678, 0755-1234567,
 * (021)12345678), an international number (+CC…, 00CC…), or an email. Undefined when it is
 * none of them, so the dialog can ask again with a hint.
 */
export function parseContact(text: string): Contact | undefined {
  if (typeof text !== 'string') return undefined;
  const trimmed = text.normalize('NFKC').trim();
  if (trimmed.includes('@')) return parseEmail(trimmed);
  return parsePhone(trimmed);
}

/** Phones only: like {@link parseContact} but an email is not accepted. */
export function parsePhone(text: string): PhoneContact | undefined {
  if (typeof text !== 'string') return undefined;
  const compact = text.normalize('NFKC').trim().replace(/[\s\-.()（）]/g, '');
  if (!/^\+?\d{6,20}$/.test(compact)) return undefined;

  const mobile = CN_MOBILE.exec(compact);
  if (mobile) return { kind: 'mobile', value: `+86${mobile[1]}` };
  const landline = CN_LANDLINE_DOMESTIC.exec(compact) ?? CN_LANDLINE_E164.exec(compact);
  if (landline) return { kind: 'landline', value: `+86${landline[1]}${landline[2]}` };
  // A Chinese number that matched neither rule above is wrong (e.g. 10 or 12 digits).
  if (/^(?:\+86|0086)/.test(compact) || !/^(?:\+|00)/.test(compact)) return undefined;

  const international = parsePhoneNumberFromString(compact.replace(/^00/, '+'));
  if (!international?.isValid() || international.countryCallingCode === '86') return undefined;
  return { kind: 'international', value: international.number };
}

/**
 * Like {@link parseContact}, but also finds a phone number or email inside a sentence
 * ("我的手机是 138 1234 5678", "email me at li@example.com"), as clients often answer.
 */
export function findContact(text: string): Contact | undefined {
  if (typeof text !== 'string') return undefined;
  const whole = parseContact(text);
  if (whole) return whole;
  const normalized = text.normalize('NFKC');
  for (const candidate of normalized.match(EMAIL_IN_TEXT) ?? []) {
    const email = parseEmail(candidate.replace(/[.!?。！？]+$/u, ''));
    if (email) return email;
  }
  for (const candidate of normalized.match(PHONE_IN_TEXT) ?? []) {
    const phone = parsePhone(candidate);
    if (phone) return phone;
  }
  return undefined;
}

/** Like {@link parsePhone}, but also finds the number inside a sentence ("我的手机是13812345678", "call me on +86 21 6123 4567"). */
export function findPhone(text: string): PhoneContact | undefined {
  if (typeof text !== 'string') return undefined;
  const whole = parsePhone(text);
  if (whole) return whole;
  for (const candidate of text.normalize('NFKC').match(PHONE_IN_TEXT) ?? []) {
    const phone = parsePhone(candidate);
    if (phone) return phone;
  }
  return undefined;
}

const EMAIL_IN_TEXT = /[^\s@,;:<>()[\]"'，。；：]+@[^\s@,;:<>()[\]"'，。；：]+/g;
/** A run of digits with the separators people type, optionally after + or an opening bracket. */
const PHONE_IN_TEXT = /(?:\+|\()?\d[\d\s\-.()]{5,}\d/g;

function parseEmail(text: string): Contact | undefined {
  const email = text.toLowerCase();
  if (email.length > 254 || !EMAIL.test(email) || email.includes('..')) return undefined;
  return { kind: 'email', value: email };
}
