import { DateTime } from 'luxon';
import { smallNumber } from '../i18n/numerals';

/** One resolution as botbuilder's DateTimePrompt returns it (wall time, no zone). */
export interface DateTimeValue {
  timex?: string;
  value?: string;
  start?: string;
  end?: string;
}

/** What a client's date/time answer means: an instant, or only a day (they gave no time). */
export type RequestedTime = { kind: 'instant'; start: Date } | { kind: 'day'; day: Date };

/**
 * Turns recognizer resolutions (wall times in the business zone) into an instant. An
 * ambiguous answer ("10:00" → 10:00 or 22:00; "12月1日" → last or next year) resolves to the
 * first candidate in the future inside `isPreferred` (business hours), then the first in the
 * future, then the first at all, so the client gets the reading they most likely meant.
 */
export function resolveRequestedTime(
  values: DateTimeValue[], timeZone: string, now: Date, isPreferred: (instant: Date) => boolean,
): RequestedTime | undefined {
  const instants: Date[] = [];
  let day: Date | undefined;
  const today = DateTime.fromJSDate(now, { zone: timeZone }).toFormat('yyyy-LL-dd');
  for (const v of values) {
    const text = v.value ?? v.start;
    if (!text) continue;
    const full = DateTime.fromFormat(text, 'yyyy-LL-dd HH:mm:ss', { zone: timeZone });
    if (full.isValid) { instants.push(full.toJSDate()); continue; }
    const timeOnly = DateTime.fromFormat(`${today} ${text}`, 'yyyy-LL-dd HH:mm:ss', { zone: timeZone });
    if (timeOnly.isValid) { instants.push(timeOnly.toJSDate()); continue; }
    const dateOnly = DateTime.fromFormat(text, 'yyyy-LL-dd', { zone: timeZone });
    if (dateOnly.isValid && !day) day = dateOnly.toJSDate();
  }
  const future = instants.filter((i) => i > now);
  const start = future.find(isPreferred) ?? future[0] ?? instants[0];
  if (start) return { kind: 'instant', start };
  return day ? { kind: 'day', day } : undefined;
}

/**
 * A clock time no day has ("25:00", "13:75", "26点"): the recognizers read "25:00" as
 * 05:00 or 17:00, which would book a time the client never asked for.
 */
export function hasInvalidClockTime(text: string): boolean {
  const t = text.normalize('NFKC');
  for (const m of t.matchAll(/(?<!\d)(\d{1,2})\s*:\s*(\d{1,2})(?!\d)/g)) {
    if (Number(m[1]) > 24 || Number(m[2]) > 59 || (Number(m[1]) === 24 && Number(m[2]) > 0)) return true;
  }
  for (const m of t.matchAll(/(?<!\d)(\d{1,2})\s*(?:点|點|时|時)/g)) if (Number(m[1]) > 24) return true;
  for (const m of t.matchAll(/(?<!\d)(\d{1,2})\s*(?:am|pm|a\.m\.|p\.m\.)/gi)) if (Number(m[1]) > 12 || Number(m[1]) === 0) return true;
  return false;
}

/** English month names and their usual short forms, January first. */
const MONTHS = [
  ['january', 'jan'], ['february', 'feb'], ['march', 'mar'], ['april', 'apr'], ['may'], ['june', 'jun'],
  ['july', 'jul'], ['august', 'aug'], ['september', 'sept', 'sep'], ['october', 'oct'], ['november', 'nov'], ['december', 'dec'],
];
const monthNumber = (name: string) => MONTHS.findIndex((names) => names.includes(name.toLowerCase().replace(/\.$/, ''))) + 1;
/** Days a month can have (February 29 in a leap year). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function isCalendarDate(month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= MONTH_DAYS[month - 1];
}

/**
 * A date no calendar has ("2月30日", "12月32日", "13月1日", "February 30", "31st of April"): the
 * recognizers read "12月32日" as 3 December of last year, which would send the client the wrong way.
 */
export function hasInvalidCalendarDate(text: string): boolean {
  const t = text.normalize('NFKC');
  const numeral = '(\\d{1,2}|[一二两三四五六七八九十]{1,3})';
  for (const m of t.matchAll(new RegExp(`(?<!\\d)${numeral}\\s*月\\s*${numeral}\\s*[日号號]`, 'gu'))) {
    const month = smallNumber(m[1]);
    const day = smallNumber(m[2]);
    if (month !== undefined && day !== undefined && !isCalendarDate(month, day)) return true;
  }
  const month = `(${MONTHS.flat().join('|')})\\b\\.?`;
  for (const m of t.matchAll(new RegExp(`\\b${month}\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b`, 'gi'))) {
    if (!isCalendarDate(monthNumber(m[1]), Number(m[2]))) return true;
  }
  for (const m of t.matchAll(new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${month}`, 'gi'))) {
    if (!isCalendarDate(monthNumber(m[2]), Number(m[1]))) return true;
  }
  return false;
}

/** A slot written as the buttons send it ("2026-12-01 15:00"), read in the business zone. */
export function parseSlotValue(text: string, timeZone: string): Date | undefined {
  const match = /^\s*(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})\s*$/.exec(text);
  if (!match) return undefined;
  const dt = DateTime.fromFormat(`${match[1]} ${match[2]}`, 'yyyy-LL-dd HH:mm', { zone: timeZone });
  return dt.isValid ? dt.toJSDate() : undefined;
}

/** The button value for a slot. */
export function slotValue(instant: Date, timeZone: string): string {
  return DateTime.fromJSDate(instant, { zone: timeZone }).toFormat('yyyy-LL-dd HH:mm');
}

/**
 * The reference date the recognizers need: they read a JS Date's local fields, so this
 * Date's local fields carry the business zone's wall time whatever the server's zone is.
 */
export function wallClockReference(now: Date, timeZone: string): Date {
  const w = DateTime.fromJSDate(now, { zone: timeZone });
  return new Date(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}
