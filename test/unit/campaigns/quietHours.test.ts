import { isLocalTime, isQuiet, nextSendableInstant } from '../../../services/campaigns/quietHours';

const night = { start: '21:00', end: '09:00' };
const lunch = { start: '12:00', end: '14:00' };
const none = { start: '09:00', end: '09:00' };

describe('isQuiet', () => {
  test.each([
    // [UTC instant, window, zone, quiet?]
    ['2026-11-30T12:59:00Z', night, 'Asia/Shanghai', false], // 20:59 local
    ['2026-11-30T13:00:00Z', night, 'Asia/Shanghai', true], //  21:00 local: the start is quiet
    ['2026-11-30T18:00:00Z', night, 'Asia/Shanghai', true], //  02:00 local
    ['2026-11-30T00:59:00Z', night, 'Asia/Shanghai', true], //  08:59 local
    ['2026-11-30T01:00:00Z', night, 'Asia/Shanghai', false], // 09:00 local: the end is not quiet
    ['2026-11-30T04:30:00Z', lunch, 'Asia/Shanghai', true], //  12:30 local
    ['2026-11-30T06:00:00Z', lunch, 'Asia/Shanghai', false], // 14:00 local
    ['2026-11-30T03:59:00Z', lunch, 'Asia/Shanghai', false], // 11:59 local
    ['2026-11-30T18:00:00Z', none, 'Asia/Shanghai', false], //  start == end: never quiet
    ['2026-07-01T13:30:00Z', night, 'America/New_York', false], // 09:30 EDT (UTC-4)
    ['2026-12-01T13:30:00Z', night, 'America/New_York', true], //  08:30 EST (UTC-5)
    ['2026-07-01T20:30:00Z', night, 'Europe/London', true], //  21:30 BST
    ['2026-12-01T20:30:00Z', night, 'Europe/London', false], // 20:30 GMT
  ] as const)('When it is %s with quiet hours %o in %s, then quiet is %s', (instant, window, zone, quiet) => {
    expect(isQuiet(new Date(instant), window, zone)).toBe(quiet);
  });

  test('When the time zone is unknown, then it throws naming it', () => {
    expect(() => isQuiet(new Date(), night, 'Mars/Olympus')).toThrow('Mars/Olympus');
  });
});

describe('nextSendableInstant', () => {
  test.each([
    ['2026-11-30T02:00:00Z', night, 'Asia/Shanghai', '2026-11-30T02:00:00.000Z'], // 10:00 local: now
    ['2026-11-30T14:00:00Z', night, 'Asia/Shanghai', '2026-12-01T01:00:00.000Z'], // 22:00 local → 09:00 next day
    ['2026-11-30T18:00:00Z', night, 'Asia/Shanghai', '2026-12-01T01:00:00.000Z'], // 02:00 local → 09:00 same day
    ['2026-11-30T04:30:00Z', lunch, 'Asia/Shanghai', '2026-11-30T06:00:00.000Z'], // 12:30 → 14:00
    ['2026-11-30T18:00:00Z', none, 'Asia/Shanghai', '2026-11-30T18:00:00.000Z'],
    // New York springs forward on 2026-03-08: 22:00 EST on the 7th → 09:00 EDT (13:00Z) on the 8th, 11 h later not 12.
    ['2026-03-08T03:00:00Z', night, 'America/New_York', '2026-03-08T13:00:00.000Z'],
    // ... and falls back on 2026-11-01: 22:00 EDT on Oct 31 → 09:00 EST (14:00Z).
    ['2026-11-01T02:00:00Z', night, 'America/New_York', '2026-11-01T14:00:00.000Z'],
    // London springs forward on 2026-03-29: 23:00 GMT on the 28th → 09:00 BST (08:00Z).
    ['2026-03-28T23:00:00Z', night, 'Europe/London', '2026-03-29T08:00:00.000Z'],
  ] as const)('When it is %s with quiet hours %o in %s, then the next sendable instant is %s', (instant, window, zone, expected) => {
    expect(nextSendableInstant(new Date(instant), window, zone).toISOString()).toBe(expected);
  });

  test('When a quiet window ends at a local time a DST jump skips, then sending resumes right after the jump', () => {
    // New York 2026-03-08 02:30 does not exist (02:00 EST → 03:00 EDT).
    const window = { start: '01:00', end: '02:30' };
    const at = new Date('2026-03-08T06:30:00Z'); // 01:30 EST
    const next = nextSendableInstant(at, window, 'America/New_York');
    expect(next.toISOString()).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT
    expect(isQuiet(next, window, 'America/New_York')).toBe(false);
  });

  test('When any instant of a day is tried, then the next sendable instant is never quiet and never earlier', () => {
    for (const zone of ['Asia/Shanghai', 'America/New_York', 'Europe/London']) {
      for (let m = 0; m < 48 * 60; m += 17) {
        const at = new Date(Date.UTC(2026, 2, 28, 0, m));
        const next = nextSendableInstant(at, night, zone);
        expect(isQuiet(next, night, zone)).toBe(false);
        expect(next.getTime()).toBeGreaterThanOrEqual(at.getTime());
        expect(next.getTime() - at.getTime()).toBeLessThanOrEqual(13 * 3600_000);
      }
    }
  });
});

test('When local times are checked, then only HH:MM from 00:00 to 23:59 pass', () => {
  expect(['00:00', '09:30', '23:59'].every(isLocalTime)).toBe(true);
  expect(['24:00', '9:30', '12:60', '12:00:00', ''].some(isLocalTime)).toBe(false);
});
