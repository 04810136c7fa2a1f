import { csvCell, csvLine } from '../../../services/analytics/responsesCsv';
import { slaStatus } from '../../../services/analytics/serviceDashboard';

describe('CSV cells', () => {
  test.each<[unknown, string]>([
    ['plain', 'plain'],
    ['审批太慢', '审批太慢'],
    ['a, b', '"a, b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=SUM(A1:A9)', "'=SUM(A1:A9)"],
    ['+86 138', "'+86 138"],
    ['-1 slow', "'-1 slow"],
    ['@cmd', "'@cmd"],
    ['\tTAB', "'\tTAB"],
    ['=HYPERLINK("x","y")', '"\'=HYPERLINK(""x"",""y"")"'],
    [5, '5'],
    [null, ''],
    [undefined, ''],
    [new Date('2026-11-29T08:00:00Z'), '2026-11-29T08:00:00.000Z'],
  ])('When the value is %j, then the cell is %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  test('When a line is written, then its cells are comma separated and it ends with CRLF', () => {
    expect(csvLine(['a', 1, '王芳'])).toBe('a,1,王芳\r\n');
  });
});

describe('SLA status of a complaint', () => {
  const now = new Date('2026-11-29T08:00:00Z');
  const hours = (h: number) => new Date(now.getTime() + h * 3_600_000);
  test.each<[string, string, string, Date, Date, Partial<Record<'resolvedAt' | 'closedAt', Date>>]>([
    ['open, past due', 'breached', 'open', hours(-10), hours(-1), {}],
    ['in progress, past due', 'breached', 'in_progress', hours(-10), hours(-1), {}],
    ['open, 25% of its time left', 'atRisk', 'open', hours(-6), hours(2), {}],
    ['open, 10% left', 'atRisk', 'open', hours(-9), hours(1), {}],
    ['open, 30% left', 'onTime', 'open', hours(-7), hours(3), {}],
    ['resolved before its due time', 'onTime', 'resolved', hours(-10), hours(-1), { resolvedAt: hours(-2) }],
    ['resolved exactly at its due time', 'onTime', 'resolved', hours(-10), hours(-1), { resolvedAt: hours(-1) }],
    ['resolved after its due time', 'breached', 'resolved', hours(-10), hours(-5), { resolvedAt: hours(-1) }],
    ['closed, resolved late, closed later still', 'breached', 'closed', hours(-10), hours(-5), { resolvedAt: hours(-4), closedAt: hours(-1) }],
    ['closed, resolved in time though closed after the due time', 'onTime', 'closed', hours(-10), hours(-5), { resolvedAt: hours(-6), closedAt: hours(-1) }],
    ['closed with no resolution time stored, past due', 'breached', 'closed', hours(-10), hours(-1), {}],
    ['closed with no resolution time stored, not yet due', 'onTime', 'closed', hours(-10), hours(5), {}],
    ['reopened (in progress again, resolution cleared), past due', 'breached', 'in_progress', hours(-10), hours(-1), {}],
  ])('When a complaint is %s, then it is %s', (_name, expected, status, createdAt, slaDueAt, times) => {
    expect(slaStatus({ status: status as never, createdAt, slaDueAt, ...times }, now)).toBe(expected);
  });
});
