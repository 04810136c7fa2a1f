import { DateTime } from 'luxon';
import type { QuietHours } from './campaign';

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** True for a valid "HH:MM" local time (00:00-23:59). */
export function isLocalTime(value: string): boolean {
  return HH_MM.test(value);
}

function minutesOfDay(value: string): number {
  const match = HH_MM.exec(value);
  if (!match) throw new Error(`Quiet hours need "HH:MM" times, got "${value}"`);
  return Number(match[1]) * 60 + Number(match[2]);
}

function localTime(instant: Date, timeZone: string): DateTime {
  const local = DateTime.fromJSDate(instant, { zone: timeZone });
  if (!local.isValid) throw new Error(`Unknown time zone "${timeZone}"`);
  return local;
}

/**
 * Whether `instant` falls in the quiet hours in `timeZone`. The window is [start, end): it
 * crosses midnight when end < start (21:00-09:00); start == end means no quiet hours.
 */
export function isQuiet(instant: Date, quietHours: QuietHours, timeZone: string): boolean {
  const start = minutesOfDay(quietHours.start);
  const end = minutesOfDay(quietHours.end);
  if (start === end) return false;
  const local = localTime(instant, timeZone);
  const now = local.hour * 60 + local.minute;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/**
 * The first instant at or after `instant` outside the quiet hours: `instant` itself when it
 * is not quiet, else the end of the window in local time. When a DST jump skips that local
 * time, luxon moves it forward (02:30 on a spring-forward day becomes 03:30).
 */
export function nextSendableInstant(instant: Date, quietHours: QuietHours, timeZone: string): Date {
  if (!isQuiet(instant, quietHours, timeZone)) return instant;
  const end = minutesOfDay(quietHours.end);
  const local = localTime(instant, timeZone);
  const minutesNow = local.hour * 60 + local.minute;
  // The window ends today when the end is still ahead of now; otherwise (the evening part of 21:00-09:00) tomorrow.
  const day = minutesNow < end ? local.startOf('day') : local.startOf('day').plus({ days: 1 });
  const endOfWindow = DateTime.fromObject(
    { year: day.year, month: day.month, day: day.day, hour: Math.floor(end / 60), minute: end % 60 },
    { zone: timeZone },
  );
  return endOfWindow.toJSDate();
}
