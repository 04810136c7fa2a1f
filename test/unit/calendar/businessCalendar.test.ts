import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BusinessCalendar } from '../../../services/calendar/businessCalendar';
import { repoRoot } from '../../support/dialogHarness';

const calendarsDir = path.join(repoRoot, 'config/calendars');
const now = () => new Date('2026-11-29T03:00:00Z');
const shanghai = (local: string) => new Date(`${local}+08:00`);

describe('BusinessCalendar (cn-2026, Asia/Shanghai, 09:00-17:30)', () => {
  const calendar = BusinessCalendar.fromDirectory(calendarsDir, { now });

  test.each([
    ['2026-10-01', false, 'National Day (Thursday)'],
    ['2026-10-05', false, 'National Day (Monday)'],
    ['2026-10-07', false, 'last day of National Day'],
    ['2026-10-08', true, 'first Thursday after National Day'],
    ['2026-09-20', true, 'make-up working Sunday'],
    ['2026-10-10', true, 'make-up working Saturday'],
    ['2026-10-11', false, 'ordinary Sunday'],
    ['2026-02-14', true, 'Spring Festival make-up Saturday'],
    ['2026-02-16', false, 'Spring Festival Monday'],
    ['2026-11-30', true, 'ordinary Monday'],
    ['2026-11-28', false, 'ordinary Saturday'],
  ])('When the day is %s, then isWorkingDay is %s (%s)', (day, expected) => {
    expect(calendar.isWorkingDay(shanghai(`${day}T12:00:00`))).toBe(expected);
  });

  test('When an instant is still the previous day in UTC, then the business zone decides the day', () => {
    // 2026-10-07T16:30Z is 00:30 on Thursday 8 October in Shanghai.
    expect(calendar.isWorkingDay(new Date('2026-10-07T16:30:00Z'))).toBe(true);
    expect(calendar.isWorkingDay(new Date('2026-10-07T15:30:00Z'))).toBe(false);
  });

  test('When asked about opening, then 09:00 is open, 17:29 is open, 08:59 and 17:30 are closed', () => {
    expect(calendar.isOpenAt(shanghai('2026-11-30T09:00:00'))).toBe(true);
    expect(calendar.isOpenAt(shanghai('2026-11-30T17:29:00'))).toBe(true);
    expect(calendar.isOpenAt(shanghai('2026-11-30T08:59:00'))).toBe(false);
    expect(calendar.isOpenAt(shanghai('2026-11-30T17:30:00'))).toBe(false);
    expect(calendar.isOpenAt(shanghai('2026-10-02T10:00:00'))).toBe(false);
  });

  test('When asked for the hours of a working day, then they are 09:00-17:30 local; of a holiday, then undefined', () => {
    expect(calendar.openingHoursOn(shanghai('2026-09-20T20:00:00'))).toEqual({
      opens: new Date('2026-09-20T01:00:00Z'), closes: new Date('2026-09-20T09:30:00Z'),
    });
    expect(calendar.openingHoursOn(shanghai('2026-10-03T10:00:00'))).toBeUndefined();
  });

  test('When it is Saturday evening, then the next opening is Monday 09:00; when open, then it is now', () => {
    expect(calendar.nextOpeningAt(shanghai('2026-11-28T19:00:00'))).toEqual(shanghai('2026-11-30T09:00:00'));
    expect(calendar.nextOpeningAt(shanghai('2026-11-30T11:15:00'))).toEqual(shanghai('2026-11-30T11:15:00'));
    expect(calendar.nextOpeningAt(shanghai('2026-09-30T18:00:00'))).toEqual(shanghai('2026-10-08T09:00:00'));
  });

  test('When a 4-hour SLA starts Friday 16:30, then it spans the weekend and is due Monday 12:00', () => {
    expect(calendar.addBusinessMinutes(shanghai('2026-11-27T16:30:00'), 240)).toEqual(shanghai('2026-11-30T12:00:00'));
  });

  test('When an 8-hour SLA starts the evening before National Day, then it is due after the holiday week', () => {
    // 30 minutes on 30 September, then nothing until Thursday 8 October 09:00, + 7.5 h.
    expect(calendar.addBusinessMinutes(shanghai('2026-09-30T17:00:00'), 480)).toEqual(shanghai('2026-10-08T16:30:00'));
  });

  test('When an SLA starts on a make-up working Saturday, then that Saturday counts', () => {
    expect(calendar.addBusinessMinutes(shanghai('2026-10-10T08:00:00'), 60)).toEqual(shanghai('2026-10-10T10:00:00'));
    // 16 business hours from Friday 9 Oct 09:00: all of Fri (8.5h) and 7.5h of Saturday 10 Oct.
    expect(calendar.addBusinessMinutes(shanghai('2026-10-09T09:00:00'), 16 * 60)).toEqual(shanghai('2026-10-10T16:30:00'));
  });

  test('When a deadline uses up a day exactly, then it is that day\'s closing time, not the next opening', () => {
    expect(calendar.addBusinessMinutes(shanghai('2026-11-30T09:00:00'), 510)).toEqual(shanghai('2026-11-30T17:30:00'));
  });

  test('When a 40-hour SLA starts Monday 09:00, then it is due Friday 15:00 (4 × 8.5 h, then 6 h)', () => {
    expect(calendar.addBusinessMinutes(shanghai('2026-11-30T09:00:00'), 40 * 60)).toEqual(shanghai('2026-12-04T15:00:00'));
  });

  test('When minutes are negative, then it throws', () => {
    expect(() => calendar.addBusinessMinutes(new Date(), -1)).toThrow(/non-negative/);
  });
});

describe('BusinessCalendar without a calendar for a year', () => {
  test('When 2027 has no file, then start-up warns about 2027 and 2027 counts Monday to Friday', () => {
    const warn = jest.fn();
    const calendar = BusinessCalendar.fromDirectory(calendarsDir, { now, logger: { warn } as never });
    expect(calendar.yearsWithoutCalendar()).toEqual([2027]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatchObject({ years: [2027] });
    expect(calendar.isWorkingDay(shanghai('2027-01-01T10:00:00'))).toBe(true); // a Friday; no holiday known
    expect(calendar.isWorkingDay(shanghai('2027-01-02T10:00:00'))).toBe(false);
  });

  test('When next year\'s file is added to the folder, then it is used with no code change and no warning', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'calendars-'));
    fs.copyFileSync(path.join(calendarsDir, 'cn-2026.json'), path.join(dir, 'cn-2026.json'));
    fs.writeFileSync(path.join(dir, 'cn-2027.json'), JSON.stringify({ year: 2027, holidays: [{ name_en: 'New Year', days: ['2027-01-01'] }], workdays: [] }));
    const warn = jest.fn();
    const calendar = BusinessCalendar.fromDirectory(dir, { now, logger: { warn } as never });
    expect(warn).not.toHaveBeenCalled();
    expect(calendar.isWorkingDay(shanghai('2027-01-01T10:00:00'))).toBe(false);
    expect(calendar.coveredYears()).toEqual([2026, 2027]);
  });

  test('When a file lists a date outside its year, then loading fails with the date named', () => {
    expect(() => new BusinessCalendar([{ year: 2027, holidays: [{ days: ['2026-12-31'] }], workdays: [] }])).toThrow(/2026-12-31/);
  });
});

describe('BusinessCalendar in another time zone', () => {
  const calendar = new BusinessCalendar([], { timeZone: 'America/New_York', opens: '09:00', closes: '17:00' });

  test('When the zone is New York, then its local hours and the DST change apply', () => {
    // Friday 30 Oct 2026 16:00 EDT (20:00Z) + 2 h: 1 h on Friday, DST ends on Sunday 1 Nov,
    // so Monday 2 Nov 10:00 is EST (15:00Z).
    expect(calendar.addBusinessMinutes(new Date('2026-10-30T20:00:00Z'), 120)).toEqual(new Date('2026-11-02T15:00:00Z'));
    expect(calendar.isOpenAt(new Date('2026-11-30T14:00:00Z'))).toBe(true); // 09:00 EST
    expect(calendar.isOpenAt(new Date('2026-11-30T13:59:00Z'))).toBe(false);
    // Shanghai's National Day is not a holiday here (no files loaded).
    expect(calendar.isWorkingDay(new Date('2026-10-01T16:00:00Z'))).toBe(true);
  });

  test('When options are wrong, then construction fails naming them', () => {
    expect(() => new BusinessCalendar([], { timeZone: 'Mars/Olympus' })).toThrow(/time zone/);
    expect(() => new BusinessCalendar([], { opens: '9am' })).toThrow(/opens/);
    expect(() => new BusinessCalendar([], { opens: '18:00', closes: '17:30' })).toThrow(/before/);
  });
});
