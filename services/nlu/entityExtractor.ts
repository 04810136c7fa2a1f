/**
 * Entity extraction for Rapport's recognizer: complaint and callback references, phone numbers,
 * e-mail addresses, money amounts (万/亿, RMB/USD, "USD 2 million", Chinese numerals) and dates/times
 * through Microsoft's recognizers (zh-cn / en-us).
 *
 * Extraction runs in a fixed order — references, e-mail, phone, money, date/time — and every stage
 * masks the spans found before it, so a reference's digits are never read as a phone number and a
 * phone number is never read as money or a date. Spans never overlap. Never throws.
 */
import { DateTimeRecognizer, DateTimeOptions } from '@microsoft/recognizers-text-date-time';
import { findPhoneNumbersInText, parsePhoneNumberFromString, type PhoneNumber } from 'libphonenumber-js/max';
import { DateTime } from 'luxon';

export type NluLanguage = 'zh' | 'en';

export interface RecognizedEntity {
  type: 'complaintRef' | 'callbackRef' | 'phone' | 'email' | 'money' | 'datetime';
  text: string;
  start: number;
  end: number;
  value: unknown;
}

/** Value of a `phone` entity. */
export interface PhoneValue {
  e164: string;
  kind: 'mobile' | 'landline' | 'international';
}

/** Value of a `money` entity. */
export interface MoneyValue {
  amount: number;
  currency: string;
}

/** Value of a `datetime` entity: the resolution type (date, time, datetime, daterange, …), its timex and all candidate values. */
export interface DateTimeValue {
  type: string;
  timex: string | undefined;
  values: Array<Record<string, string>>;
}

/** Characters of the input scanned at all; the rest of a very long message is ignored. */
export const ENTITY_SCAN_LIMIT = 2000;
/** Characters handed to the (comparatively slow) date/time recognizer per message, at most. */
const DATETIME_BUDGET = 400;
/** Pieces longer than this are cut before date/time recognition. */
const DATETIME_PIECE = 300;

const BUSINESS_ZONE = 'Asia/Shanghai';

/** Reference suffix alphabet: no look-alikes (0/O, 1/I/L); same as the ticket service's generator. */
const REFERENCE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const REFERENCE_RE = new RegExp(
  `(?<![A-Za-z0-9])(CMP|CBK)[-_ ]?(\\d{8})[-_ ]?([${REFERENCE_ALPHABET}]{4})(?![A-Za-z0-9])`,
  'gi',
);

const EMAIL_RE = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}(?![A-Za-z0-9-])/g;

/** CN landline with area code, for numbers libphonenumber's strict validation rejects but that are possible (e.g. 0755-1234567). */
const CN_LANDLINE_RE = /(?<![0-9+])(?:\(0\d{2,3}\)|0\d{2,3})[- ]?[1-9]\d{6,7}(?!\d)/g;
const CN_MOBILE_NATIONAL = /^1[3-9]\d{9}$/;

// ---------------------------------------------------------------------------------------------
// Money

const CN_DIGITS: Record<string, number> = {
  零: 0, 〇: 0, 一: 1, 壹: 1, 二: 2, 贰: 2, 两: 2, 三: 3, 叁: 3, 四: 4, 肆: 4,
  五: 5, 伍: 5, 六: 6, 陆: 6, 七: 7, 柒: 7, 八: 8, 捌: 8, 九: 9, 玖: 9,
};
const CN_SMALL_UNITS: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 };

const ARABIC_NUMBER = String.raw`(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?`;
const CHINESE_NUMBER = '[零〇一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾][零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟]*';
const NUMBER_TOKEN = `(?:${ARABIC_NUMBER}(?: ?[多余]?[十百千万亿]+)?|${CHINESE_NUMBER}(?:[多余][十百千万亿]+)?)`;
const EN_MULTIPLIER = '(?:thousand|million|billion|mn|mm|bn|k|m)(?![A-Za-z])';
const CURRENCY_PREFIX = String.raw`(?:US\$|HK\$|USD|RMB|CNY|HKD|EUR|GBP|JPY|人民币|美元|美金|港币|港元|欧元|英镑|日元|[¥$€£])`;
const CURRENCY_SUFFIX =
  '(?:元人民币|人民币|美元|美金|港币|港元|欧元|英镑|日元|块钱|块(?!儿)|元|(?:RMB|CNY|USD|HKD|EUR|GBP|JPY|yuan|US dollars?|dollars?|bucks|euros?)(?![A-Za-z]))';
const MONEY_RE = new RegExp(
  `(?<![A-Za-z0-9.])(?:(${CURRENCY_PREFIX}) ?)?(${NUMBER_TOKEN})(?: ?(${EN_MULTIPLIER}))?(?: ?(${CURRENCY_SUFFIX}))?`,
  'gi',
);

const CURRENCY_CODES: Record<string, string> = {
  'us$': 'USD', 'hk$': 'HKD', usd: 'USD', rmb: 'CNY', cny: 'CNY', hkd: 'HKD', eur: 'EUR', gbp: 'GBP', jpy: 'JPY',
  人民币: 'CNY', 元人民币: 'CNY', 美元: 'USD', 美金: 'USD', 港币: 'HKD', 港元: 'HKD', 欧元: 'EUR', 英镑: 'GBP', 日元: 'JPY',
  '¥': 'CNY', $: 'USD', '€': 'EUR', '£': 'GBP', 元: 'CNY', 块: 'CNY', 块钱: 'CNY',
  yuan: 'CNY', 'us dollar': 'USD', 'us dollars': 'USD', dollar: 'USD', dollars: 'USD', bucks: 'USD', euro: 'EUR', euros: 'EUR',
};

const EN_MULTIPLIERS: Record<string, number> = {
  thousand: 1e3, k: 1e3, million: 1e6, m: 1e6, mn: 1e6, mm: 1e6, billion: 1e9, bn: 1e9,
};

/** Parses Arabic, Chinese or mixed numerals ("300万", "1.5亿", "三百万", "一千二百万", "3千万", "2,000,000"). */
export function parseNumeral(token: string): number | undefined {
  const s = token.replace(/[, 多余]/g, '');
  if (s === '') return undefined;
  let total = 0; // 亿-level
  let section = 0; // below 亿
  let num = 0;
  let sawDigit = false;
  let previousWasChineseDigit = false;
  for (let i = 0; i < s.length; ) {
    const ch = s[i];
    if (/[0-9]/.test(ch)) {
      const m = /^\d+(?:\.\d+)?/.exec(s.slice(i));
      if (!m) return undefined;
      num = Number(m[0]);
      sawDigit = true;
      previousWasChineseDigit = false;
      i += m[0].length;
      continue;
    }
    const chineseDigit = CN_DIGITS[ch];
    if (chineseDigit !== undefined) {
      // "三零零" reads digit by digit; otherwise a digit starts a new group ("一百零五").
      num = previousWasChineseDigit ? num * 10 + chineseDigit : chineseDigit;
      sawDigit = true;
      previousWasChineseDigit = true;
      i += 1;
      continue;
    }
    previousWasChineseDigit = false;
    if (ch in CN_SMALL_UNITS) {
      const unit = CN_SMALL_UNITS[ch];
      section += (sawDigit ? num : unit === 10 ? 1 : 0) * unit;
      num = 0;
      sawDigit = false;
    } else if (ch === '万') {
      section = (section + num) * 1e4;
      num = 0;
      sawDigit = false;
    } else if (ch === '亿') {
      total = (total + section + num) * 1e8;
      section = 0;
      num = 0;
      sawDigit = false;
    } else {
      return undefined;
    }
    i += 1;
  }
  const value = total + section + num;
  return Number.isFinite(value) ? value : undefined;
}

function roundAmount(value: number): number {
  return Math.round(value * 100) / 100;
}

// ---------------------------------------------------------------------------------------------
// Date/time

type DateTimeModel = ReturnType<DateTimeRecognizer['getDateTimeModel']>;
const dateTimeModels = new Map<string, DateTimeModel>();

function dateTimeModel(culture: string): DateTimeModel {
  let model = dateTimeModels.get(culture);
  if (!model) {
    model = new DateTimeRecognizer(culture, DateTimeOptions.None).getDateTimeModel(culture);
    dateTimeModels.set(culture, model);
  }
  return model;
}

const ZH_DATE_CUE =
  /\d|[今明后昨前本上下这][天日周月年午晚早]|周[一二三四五六日末天]|星期|礼拜|[零〇一二两三四五六七八九十][点时月日号]|[上中下]午|晚上|早上|凌晨|傍晚|今晚|明早|节|元旦|春节|工作日|现在|马上|稍后|月[底初]|年[底初]|[零〇一二两三四五六七八九十](?:个)?(?:小时|分钟|天|周|星期|月|年)/;
const EN_DATE_CUE =
  /\d|\b(?:today|tonight|tomorrow|tmr|yesterday|morning|afternoon|evening|noon|midnight|night|week|weekend|month|year|day|days|hours?|minutes?|now|later|soon|next|last|this|coming|mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|christmas|eve|am|pm|o'?clock|half|quarter|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)/i;
const EN_DATE_CUE_WORDS =
  /\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|june|july|august|september|october|november|december)\b/i;

/** The reference instant as a local Date whose fields hold the wall-clock time in Asia/Shanghai (the recognizer reads local fields). */
function businessWallClock(referenceDate: Date): Date {
  const zoned = DateTime.fromJSDate(referenceDate).setZone(BUSINESS_ZONE);
  if (!zoned.isValid) return new Date(referenceDate.getTime());
  return new Date(zoned.year, zoned.month - 1, zoned.day, zoned.hour, zoned.minute, zoned.second, zoned.millisecond);
}

/** Cuts text into pieces at sentence ends, then long pieces at commas/spaces (or hard), keeping offsets. */
function datetimePieces(text: string): Array<{ start: number; text: string }> {
  const pieces: Array<{ start: number; text: string }> = [];
  const sentence = /[^。！？!?；;\n]+[。！？!?；;\n]*/g;
  for (let m = sentence.exec(text); m; m = sentence.exec(text)) {
    let start = m.index;
    let rest = m[0];
    while (rest.length > DATETIME_PIECE) {
      const window = rest.slice(0, DATETIME_PIECE);
      const cut = Math.max(window.lastIndexOf('，'), window.lastIndexOf(','), window.lastIndexOf(' '), window.lastIndexOf('、'));
      const length = cut > DATETIME_PIECE / 2 ? cut + 1 : DATETIME_PIECE;
      pieces.push({ start, text: rest.slice(0, length) });
      start += length;
      rest = rest.slice(length);
    }
    if (rest.trim() !== '') pieces.push({ start, text: rest });
  }
  return pieces;
}

/** Digits such as "0755-12" resolve to the year 755; no client talks about dates that far away. */
function implausibleYear(value: Record<string, string>): boolean {
  const year = /^(\d{4})-/.exec(value.timex ?? '');
  if (!year) return false;
  const y = Number(year[1]);
  return y < 1900 || y > 2200;
}

interface RecognizerResult {
  start: number;
  end: number;
  text: string;
  typeName: string;
  resolution?: { values?: Array<Record<string, string>> };
}

function extractDateTimes(masked: string, original: string, language: NluLanguage, referenceDate: Date): RecognizedEntity[] {
  const culture = language === 'zh' ? 'zh-cn' : 'en-us';
  const cue = language === 'zh' ? ZH_DATE_CUE : EN_DATE_CUE;
  const reference = businessWallClock(referenceDate);
  const found: RecognizedEntity[] = [];
  let budget = DATETIME_BUDGET;
  for (const piece of datetimePieces(masked)) {
    if (budget <= 0) break;
    if (!cue.test(piece.text) && !(language === 'en' && EN_DATE_CUE_WORDS.test(piece.text))) continue;
    // Chinese text often mixes in English ("明天3pm"); the zh-cn model handles digits, so one culture suffices.
    budget -= piece.text.length;
    let results: RecognizerResult[];
    try {
      results = dateTimeModel(culture).parse(piece.text, reference) as RecognizerResult[];
    } catch {
      continue;
    }
    for (const r of results) {
      const values = r.resolution?.values ?? [];
      if (values.length === 0) continue;
      let start = piece.start + r.start;
      let end = piece.start + r.end + 1;
      if (original.slice(start, end).toLowerCase() !== r.text.toLowerCase()) {
        const at = original.toLowerCase().indexOf(r.text.toLowerCase(), piece.start);
        if (at < 0 || at >= piece.start + piece.text.length) continue;
        start = at;
        end = at + r.text.length;
      }
      // Trim spaces left by masking.
      while (start < end && /\s/.test(masked[start])) start += 1;
      while (end > start && /\s/.test(masked[end - 1])) end -= 1;
      if (end <= start) continue;
      if (values.some((v) => implausibleYear(v))) continue;
      const subtype = r.typeName.startsWith('datetimeV2.') ? r.typeName.slice('datetimeV2.'.length) : r.typeName;
      const value: DateTimeValue = {
        type: subtype || values[0].type,
        timex: values[0].timex,
        values: values.map((v) => ({ ...v })),
      };
      found.push({ type: 'datetime', text: original.slice(start, end), start, end, value });
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Full-width ASCII to half-width (one code unit each, so offsets stay valid); the full-width comma is kept as a separator. */
function halfWidth(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x3000) out += ' ';
    else if (code >= 0xff01 && code <= 0xff5e && code !== 0xff0c) out += String.fromCharCode(code - 0xfee0);
    else if (code === 0xffe5) out += '¥';
    else out += text[i];
  }
  return out;
}

class Masker {
  private chars: string[];
  constructor(text: string) {
    this.chars = Array.from({ length: text.length }, (_, i) => text[i]);
  }
  mask(start: number, end: number): void {
    for (let i = start; i < end; i++) this.chars[i] = ' ';
  }
  get text(): string {
    return this.chars.join('');
  }
}

function overlaps(a: { start: number; end: number }, list: RecognizedEntity[]): boolean {
  return list.some((b) => a.start < b.end && b.start < a.end);
}

function phoneValue(phone: PhoneNumber): PhoneValue {
  const e164 = phone.number;
  if (phone.countryCallingCode !== '86') return { e164, kind: 'international' };
  const type = phone.getType();
  const mobile = type === 'MOBILE' || (type === undefined && CN_MOBILE_NATIONAL.test(phone.nationalNumber));
  return { e164, kind: mobile ? 'mobile' : 'landline' };
}

/** A count of things ("一万个感谢", "3万人") rather than an amount, when no currency is given. */
const COUNTED_AFTER = /^[个次人家件条份名位台辆年天周遍只张本页步字户笔]/;

const MONEY_AFTER = /^\s?(?:万|亿|千|元|块|美元|人民币|yuan|rmb|usd|dollars?)/i;
const MONEY_BEFORE = /(?:¥|\$|rmb|usd|cny|人民币)\s?$/i;

// ---------------------------------------------------------------------------------------------
// Entry point

/**
 * Finds entities in `text`. `referenceDate` anchors relative dates ("明天", "next Tuesday") and is read
 * as wall-clock time in Asia/Shanghai; it defaults to now. Never throws; returns spans sorted by start.
 */
export function extractEntities(text: string, language: NluLanguage, referenceDate?: Date): RecognizedEntity[] {
  try {
    return extract(text, language, referenceDate);
  } catch {
    return [];
  }
}

function extract(rawText: string, language: NluLanguage, referenceDate?: Date): RecognizedEntity[] {
  if (typeof rawText !== 'string' || rawText.trim() === '') return [];
  const original = rawText.length > ENTITY_SCAN_LIMIT ? rawText.slice(0, ENTITY_SCAN_LIMIT) : rawText;
  const work = halfWidth(original);
  const masker = new Masker(work);
  const entities: RecognizedEntity[] = [];
  const add = (entity: RecognizedEntity): void => {
    entities.push(entity);
    masker.mask(entity.start, entity.end);
  };

  // 1. Complaint and callback references.
  for (const m of work.matchAll(REFERENCE_RE)) {
    const start = m.index;
    const end = start + m[0].length;
    const prefix = m[1].toUpperCase();
    const value = `${prefix}-${m[2]}-${m[3].toUpperCase()}`;
    add({ type: prefix === 'CMP' ? 'complaintRef' : 'callbackRef', text: original.slice(start, end), start, end, value });
  }

  // 2. E-mail addresses.
  for (const m of masker.text.matchAll(EMAIL_RE)) {
    let end = m.index + m[0].length;
    while (end > m.index && work[end - 1] === '.') end -= 1;
    add({ type: 'email', text: original.slice(m.index, end), start: m.index, end, value: work.slice(m.index, end).toLowerCase() });
  }

  // 3. Phone numbers (validated by libphonenumber, CN by default), then possible CN landlines it rejects.
  const phoneText = masker.text;
  for (const match of findPhoneNumbersInText(phoneText, { defaultCountry: 'CN' })) {
    const span = { start: match.startsAt, end: match.endsAt };
    if (overlaps(span, entities)) continue;
    // A number written as an amount ("¥13800000000", "13800000000元") is not a phone number either way; skip it.
    if (MONEY_AFTER.test(phoneText.slice(span.end, span.end + 8)) || MONEY_BEFORE.test(phoneText.slice(Math.max(0, span.start - 4), span.start))) {
      if (!(match.number.countryCallingCode === '86' && CN_MOBILE_NATIONAL.test(match.number.nationalNumber))) continue;
    }
    add({ type: 'phone', text: original.slice(span.start, span.end), ...span, value: phoneValue(match.number) });
  }
  for (const m of masker.text.matchAll(CN_LANDLINE_RE)) {
    const span = { start: m.index, end: m.index + m[0].length };
    if (overlaps(span, entities)) continue;
    const phone = parsePhoneNumberFromString(m[0].replace(/[()\s-]/g, ''), 'CN');
    if (!phone || !phone.isPossible() || phone.countryCallingCode !== '86') continue;
    if (CN_MOBILE_NATIONAL.test(phone.nationalNumber)) continue;
    add({ type: 'phone', text: original.slice(span.start, span.end), ...span, value: { e164: phone.number, kind: 'landline' } satisfies PhoneValue });
  }

  // 4. Money.
  for (const m of masker.text.matchAll(MONEY_RE)) {
    const [whole, prefix, numberToken, multiplier, suffix] = m;
    const hasBigUnit = /[万亿]/.test(numberToken);
    if (!prefix && !suffix && !hasBigUnit) continue;
    if (!prefix && !suffix && COUNTED_AFTER.test(work.slice(m.index + whole.length))) continue;
    let amount = parseNumeral(numberToken);
    if (amount === undefined) continue;
    if (multiplier) amount *= EN_MULTIPLIERS[multiplier.toLowerCase()] ?? 1;
    const currencyWord = (suffix ?? prefix ?? '').toLowerCase();
    const currency = currencyWord ? (CURRENCY_CODES[currencyWord] ?? CURRENCY_CODES[currencyWord.toUpperCase()] ?? 'CNY') : 'CNY';
    let end = m.index + whole.length;
    while (end > m.index && /\s/.test(work[end - 1])) end -= 1;
    const span = { start: m.index, end };
    if (overlaps(span, entities)) continue;
    add({ type: 'money', text: original.slice(span.start, span.end), ...span, value: { amount: roundAmount(amount), currency } satisfies MoneyValue });
  }

  // 5. Dates and times, on text with everything above masked out.
  const dateTimes = extractDateTimes(masker.text, original, language, referenceDate ?? new Date());
  for (const entity of dateTimes) {
    if (!overlaps(entity, entities)) entities.push(entity);
  }

  return entities.sort((a, b) => a.start - b.start || a.end - b.end);
}
