import fs from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import type { Logger } from 'pino';

/** One calendar file (`config/calendars/<region>-<year>.json`), as the README describes it. */
export interface CalendarFile {
  year: number;
  region?: string;
  /** Days off (ISO dates), grouped by holiday. */
  holidays: Array<{ name_zh?: string; name_en?: string; days: string[] }>;
  /** Weekend days that are working days (调休上班). */
  workdays: Array<{ date: string; for?: string }>;
}

/** How the business keeps its hours. */
export interface BusinessCalendarOptions {
  /** IANA zone the hours and calendar dates are in. Default Asia/Shanghai. */
  timeZone?: string;
  /** Opening time on a working day, 'HH:mm'. Default '09:00'. */
  opens?: string;
  /** Closing time on a working day, 'HH:mm'. Default '17:30'. */
  closes?: string;
  /** Receives the warning about years with no calendar file. */
  logger?: Pick<Logger, 'warn'>;
  /** The clock used to decide which years the start-up warning is about (tests). */
  now?: () => Date;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;
/** Ten years of days: no real SLA is longer, so a longer walk means a bad argument. */
const MAX_DAYS_WALKED = 3660;

/**
 * Business days and hours: Monday to Friday between `opens` and `closes` in the business
 * time zone, minus public holidays, plus make-up working days, as the calendar files say.
 * A year with no file falls back to plain Monday to Friday (and is reported by
 * {@link BusinessCalendar.yearsWithoutCalendar}), so next year's file is data, not code.
 */
export class BusinessCalendar {
  readonly timeZone: string;
  readonly opens: string;
  readonly closes: string;
  private readonly holidays = new Set<string>();
  private readonly workdays = new Set<string>();
  private readonly years = new Set<number>();
  private readonly opensMinutes: number;
  private readonly closesMinutes: number;
  private readonly now: () => Date;

  constructor(calendars: CalendarFile[], options: BusinessCalendarOptions = {}) {
    this.timeZone = options.timeZone ?? 'Asia/Shanghai';
    this.opens = options.opens ?? '09:00';
    this.closes = options.closes ?? '17:30';
    this.now = options.now ?? (() => new Date());
    if (!DateTime.now().setZone(this.timeZone).isValid) throw new Error(`BusinessCalendar: unknown time zone "${this.timeZone}"`);
    this.opensMinutes = parseClock(this.opens, 'opens');
    this.closesMinutes = parseClock(this.closes, 'closes');
    if (this.opensMinutes >= this.closesMinutes) throw new Error(`BusinessCalendar: opens (${this.opens}) must be before closes (${this.closes})`);
    for (const calendar of calendars) this.addCalendar(calendar);
  }

  /**
   * Reads every `*.json` calendar in `dir` and warns (through `options.logger`) about the
   * current and next year when either has no file.
   */
  static fromDirectory(dir: string, options: BusinessCalendarOptions = {}): BusinessCalendar {
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    const calendars = files.map((file) => {
      const full = path.join(dir, file);
      try {
        return JSON.parse(fs.readFileSync(full, 'utf8')) as CalendarFile;
      } catch (error) {
        throw new Error(`BusinessCalendar: ${full} is not valid JSON (${(error as Error).message})`);
      }
    });
    const calendar = new BusinessCalendar(calendars, options);
    const missing = calendar.yearsWithoutCalendar();
    if (missing.length > 0) {
      options.logger?.warn({ years: missing, dir }, `No business calendar for ${missing.join(', ')}: those years count Monday to Friday as working days, with no public holidays. Add config/calendars/<region>-<year>.json when the arrangement is published.`);
    }
    return calendar;
  }

  /** Years with a calendar file loaded. */
  coveredYears(): number[] {
    return [...this.years].sort((a, b) => a - b);
  }

  /**
   * Which of the current and next year (in the business zone), or of `years` when given,
   * have no calendar file and so fall back to Monday to Friday.
   */
  yearsWithoutCalendar(years?: number[]): number[] {
    const current = DateTime.fromJSDate(this.now(), { zone: this.timeZone }).year;
    return (years ?? [current, current + 1]).filter((year) => !this.years.has(year));
  }

  /** Whether the calendar day that `date` falls on, in the business zone, is a working day. */
  isWorkingDay(date: Date): boolean {
    return this.isWorkingDayLocal(this.local(date));
  }

  /** Opening and closing instants of the day `date` falls on, or undefined on a day off. */
  openingHoursOn(date: Date): { opens: Date; closes: Date } | undefined {
    const day = this.local(date).startOf('day');
    if (!this.isWorkingDayLocal(day)) return undefined;
    return { opens: this.at(day, this.opensMinutes).toJSDate(), closes: this.at(day, this.closesMinutes).toJSDate() };
  }

  /** Whether the business is open at `instant` (opening time included, closing time excluded). */
  isOpenAt(instant: Date): boolean {
    const hours = this.openingHoursOn(instant);
    return !!hours && hours.opens.getTime() <= instant.getTime() && instant.getTime() < hours.closes.getTime();
  }

  /** The earliest instant at or after `after` when the business is open (`after` itself if open then). */
  nextOpeningAt(after: Date): Date {
    return this.addBusinessMinutes(after, 0);
  }

  /**
   * The instant when `minutes` of open time have passed since `start`, counting only
   * business hours: nights, weekends and holidays are skipped, make-up working days count.
   * A deadline that uses up a day exactly lands on that day's closing time.
   */
  addBusinessMinutes(start: Date, minutes: number): Date {
    if (!Number.isFinite(minutes) || minutes < 0) throw new Error(`BusinessCalendar: minutes must be a non-negative number, got ${minutes}`);
    let remainingMs = Math.round(minutes * 60_000);
    let cursor = this.local(start);
    for (let walked = 0; walked <= MAX_DAYS_WALKED; walked++) {
      const day = cursor.startOf('day');
      if (this.isWorkingDayLocal(day)) {
        const opens = this.at(day, this.opensMinutes);
        const closes = this.at(day, this.closesMinutes);
        if (cursor < closes) {
          const begin = cursor < opens ? opens : cursor;
          const available = closes.toMillis() - begin.toMillis();
          if (remainingMs < available || (remainingMs === available && remainingMs > 0)) {
            return new Date(begin.toMillis() + remainingMs);
          }
          remainingMs -= available;
        }
      }
      cursor = day.plus({ days: 1 });
    }
    throw new Error(`BusinessCalendar: ${minutes} business minutes from ${start.toISOString()} is more than ${MAX_DAYS_WALKED} days away`);
  }

  private addCalendar(calendar: CalendarFile): void {
    if (!calendar || !Number.isInteger(calendar.year)) throw new Error('BusinessCalendar: a calendar file needs an integer "year"');
    if (this.years.has(calendar.year)) throw new Error(`BusinessCalendar: two calendar files for ${calendar.year}`);
    for (const holiday of calendar.holidays ?? []) {
      for (const day of holiday.days ?? []) this.holidays.add(checkDate(day, calendar.year));
    }
    for (const workday of calendar.workdays ?? []) this.workdays.add(checkDate(workday.date, calendar.year));
    this.years.add(calendar.year);
  }

  private isWorkingDayLocal(day: DateTime): boolean {
    const iso = day.toISODate()!;
    if (this.holidays.has(iso)) return false;
    if (this.workdays.has(iso)) return true;
    return day.weekday <= 5;
  }

  private local(instant: Date): DateTime {
    if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) throw new Error('BusinessCalendar: expected a valid Date');
    return DateTime.fromJSDate(instant, { zone: this.timeZone });
  }

  private at(day: DateTime, minutesOfDay: number): DateTime {
    return day.set({ hour: Math.floor(minutesOfDay / 60), minute: minutesOfDay % 60, second: 0, millisecond: 0 });
  }
}

function parseClock(value: string, name: string): number {
  const match = HH_MM.exec(value);
  if (!match) throw new Error(`BusinessCalendar: ${name} must be HH:mm, got "${value}"`);
  return Number(match[1]) * 60 + Number(match[2]);
}

function checkDate(value: string, year: number): string {
  if (!ISO_DATE.test(value) || !DateTime.fromISO(value).isValid) throw new Error(`BusinessCalendar: "${value}" is not an ISO date (YYYY-MM-DD)`);
  // A date of another year in a year's file would silently hide that year's missing file.
  if (Number(value.slice(0, 4)) !== year) throw new Error(`BusinessCalendar: ${value} is not in ${year}`);
  return value;
}
