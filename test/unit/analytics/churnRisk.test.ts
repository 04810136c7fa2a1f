import { computeChurnRisk, isMissedCallback, type ChurnInputs } from '../../../services/analytics/churnRisk';

const now = new Date('2026-11-29T08:00:00Z');
const daysAgo = (n: number) => new Date(now.getTime() - n * 24 * 60 * 60 * 1000);
/** `count` contacts spread evenly over days [from, to) ago. */
const contacts = (count: number, from: number, to: number) => Array.from({ length: count }, (_, i) => daysAgo(from - ((from - to) * i) / count));

const csat = (score: number, ago = 5) => ({ kind: 'csat' as const, score, at: daysAgo(ago) });
const nps = (score: number, ago = 5) => ({ kind: 'nps' as const, score, at: daysAgo(ago) });
const complaint = (reference: string, dueInDays: number, status = 'open') => ({ reference, status, slaDueAt: daysAgo(-dueInDays) });
const callback = (reference: string, status: string, ago: number) => ({ reference, status, slotStart: daysAgo(ago) });

describe('computeChurnRisk', () => {
  test.each(([
    ['no data at all', {}, 0, []],
    ['only good scores', { satisfaction: [csat(5), csat(3), nps(9), nps(7)] }, 0, []],
    ['one CSAT of 2', { satisfaction: [csat(2)] }, 15, ['low_satisfaction']],
    ['one detractor NPS of 6', { satisfaction: [nps(6)] }, 15, ['low_satisfaction']],
    ['three low scores (capped at 30)', { satisfaction: [csat(1), csat(2), nps(0)] }, 30, ['low_satisfaction']],
    ['a low CSAT older than 90 days', { satisfaction: [csat(1, 91)] }, 0, []],
    ['one open complaint within SLA', { complaints: [complaint('CMP-1', 2)] }, 10, ['open_complaints']],
    ['one open complaint past SLA', { complaints: [complaint('CMP-1', -1)] }, 25, ['open_complaints', 'overdue_complaints']],
    ['a resolved complaint past SLA', { complaints: [complaint('CMP-1', -1, 'resolved')] }, 0, []],
    ['three overdue complaints (both capped)', { complaints: [complaint('A', -1), complaint('B', -1, 'in_progress'), complaint('C', -2)] }, 50, ['open_complaints', 'overdue_complaints']],
    ['two negative messages', { negativeMessages: [daysAgo(1), daysAgo(10)] }, 6, ['negative_tone']],
    ['ten negative messages (capped at 15)', { negativeMessages: Array.from({ length: 10 }, (_, i) => daysAgo(i)) }, 15, ['negative_tone']],
    ['negative messages older than 30 days', { negativeMessages: [daysAgo(31), daysAgo(40)] }, 0, []],
    ['no contact after 4 a month for 6 months', { contacts: contacts(24, 210, 30) }, 20, ['fewer_contacts']],
    ['1 contact after 4 a month (a quarter of usual)', { contacts: [...contacts(24, 210, 30), daysAgo(3)] }, 10, ['fewer_contacts']],
    ['2 contacts after 4 a month (half: not yet a signal)', { contacts: [...contacts(24, 210, 30), daysAgo(3), daysAgo(4)] }, 0, []],
    ['no contact but only one month of history', { contacts: contacts(4, 60, 30) }, 0, []],
    ['no contact after a usual 1 a month (quiet is normal)', { contacts: contacts(6, 210, 30) }, 0, []],
    ['no contact, history since 3 months before the window', { contacts: contacts(6, 120, 30), historySince: daysAgo(120) }, 20, ['fewer_contacts']],
    ['a callback marked missed', { callbacks: [callback('CBK-1', 'missed', 3)] }, 10, ['missed_callbacks']],
    ['a booked callback whose slot ended', { callbacks: [callback('CBK-1', 'booked', 1)] }, 10, ['missed_callbacks']],
    ['a booked callback whose slot ended 10 minutes ago (within the grace)', { callbacks: [{ reference: 'CBK-1', status: 'booked', slotStart: new Date(now.getTime() - 40 * 60_000) }] }, 0, []],
    ['a callback staff marked missed before the grace ran out', { callbacks: [{ reference: 'CBK-1', status: 'missed', slotStart: new Date(now.getTime() - 10 * 60_000) }] }, 10, ['missed_callbacks']],
    ['done, cancelled and future callbacks', { callbacks: [callback('A', 'done', 1), callback('B', 'cancelled', 1), callback('C', 'booked', -1)] }, 0, []],
    ['three missed callbacks (capped at 20)', { callbacks: [callback('A', 'missed', 1), callback('B', 'missed', 2), callback('C', 'booked', 3)] }, 20, ['missed_callbacks']],
    ['low CSAT and an overdue complaint', { satisfaction: [csat(1)], complaints: [complaint('CMP-1', -1)] }, 40, ['low_satisfaction', 'open_complaints', 'overdue_complaints']],
    ['every signal at its cap (total capped at 100)', {
      satisfaction: [csat(1), csat(1)], complaints: [complaint('A', -1), complaint('B', -1)],
      negativeMessages: Array.from({ length: 5 }, (_, i) => daysAgo(i)), contacts: contacts(24, 210, 30),
      callbacks: [callback('A', 'missed', 1), callback('B', 'missed', 2)],
    }, 100, ['low_satisfaction', 'open_complaints', 'overdue_complaints', 'negative_tone', 'fewer_contacts', 'missed_callbacks']],
  ] as Array<[string, Omit<ChurnInputs, 'now'>, number, string[]]>).map(([name, inputs, score, codes]) => [name, score, codes, inputs] as const))('When %s, then the score is %d', (_name, score, codes, inputs) => {
    const result = computeChurnRisk({ now, ...inputs });
    expect(result.score).toBe(score);
    expect(result.signals.map((s) => s.code)).toEqual(codes);
    if (score < 100) expect(result.signals.reduce((sum, s) => sum + s.points, 0)).toBe(score);
  });

  test('When the same inputs are scored twice in any order, then the result is identical', () => {
    const inputs: ChurnInputs = { now, satisfaction: [csat(2, 3), nps(4, 1)], complaints: [complaint('B', -1), complaint('A', 1)] };
    const reversed: ChurnInputs = { now, satisfaction: [nps(4, 1), csat(2, 3)], complaints: [complaint('A', 1), complaint('B', -1)] };
    expect(computeChurnRisk(inputs)).toEqual(computeChurnRisk(reversed));
  });

  test('When a low CSAT is scored, then its signal says what and when', () => {
    expect(computeChurnRisk({ now, satisfaction: [csat(2, 9)] }).signals[0]).toEqual({ code: 'low_satisfaction', points: 15, detail: 'CSAT 2 on 2026-11-20' });
  });
});

describe('isMissedCallback', () => {
  const timing = { slotMinutes: 30, graceMinutes: 60 };
  const minutesAgo = (n: number) => new Date(now.getTime() - n * 60_000);
  test.each([
    ['booked, slot still running', 'booked', 10, false],
    ['booked, slot ended 30 min ago (staff still have time to record it)', 'booked', 60, false],
    ['booked, slot ended exactly the grace ago', 'booked', 90, true],
    ['booked, nobody worked it for a day', 'booked', 24 * 60, true],
    ['marked missed by staff right after the slot started', 'missed', 5, true],
    ['marked done by staff a day after the slot', 'done', 24 * 60, false],
    ['cancelled by the client', 'cancelled', 24 * 60, false],
  ])('When a callback is %s, then missed is %s', (_what, status, startedMinutesAgo, missed) => {
    expect(isMissedCallback({ reference: 'A', status, slotStart: minutesAgo(startedMinutesAgo) }, now, timing)).toBe(missed);
  });

  test('When the grace is shorter, then an unworked callback counts as missed sooner', () => {
    const callback = { reference: 'A', status: 'booked', slotStart: new Date(now.getTime() - 45 * 60_000) };
    expect(isMissedCallback(callback, now, { slotMinutes: 30, graceMinutes: 60 })).toBe(false);
    expect(isMissedCallback(callback, now, { slotMinutes: 30, graceMinutes: 10 })).toBe(true);
  });
});
