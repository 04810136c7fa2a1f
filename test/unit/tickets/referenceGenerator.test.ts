import { REFERENCE_ALPHABET, findReference, generateReference, isReference } from '../../../services/tickets/referenceGenerator';

describe('referenceGenerator', () => {
  test('When a complaint is filed at 23:30 UTC, then the reference carries the next day\'s date in Shanghai', () => {
    const reference = generateReference('CMP', new Date('2026-11-28T23:30:00Z'), 'Asia/Shanghai');
    expect(reference).toMatch(/^CMP-20261129-[23456789A-HJKMNP-Z]{4}$/);
    expect(isReference(reference)).toBe(true);
    expect(isReference(reference, 'CMP')).toBe(true);
    expect(isReference(reference, 'CBK')).toBe(false);
  });

  test('When the zone is New York, then the date is New York\'s', () => {
    expect(generateReference('CBK', new Date('2026-11-29T03:00:00Z'), 'America/New_York')).toMatch(/^CBK-20261128-/);
  });

  test('When many references are made, then no look-alike characters appear and they vary', () => {
    const refs = Array.from({ length: 500 }, () => generateReference('CMP', new Date('2026-11-29T03:00:00Z'), 'Asia/Shanghai'));
    for (const ref of refs) expect(ref.slice(-4)).not.toMatch(/[01OIL]/);
    expect(new Set(refs).size).toBeGreaterThan(490);
    expect(REFERENCE_ALPHABET).not.toMatch(/[01OIL]/);
  });

  test.each([
    ['CMP-20261129-4F7Q', true],
    ['CBK-20261129-ABCD', true],
    ['cmp-20261129-4f7q', false],
    ['CMP-20261129-4F7O', false],
    ['CMP-2026112-4F7Q', false],
    ['CMP-20261129-4F7QX', false],
    ['XYZ-20261129-4F7Q', false],
  ])('When checking %s, then isReference is %s', (text, expected) => {
    expect(isReference(text)).toBe(expected);
  });

  test('When a client quotes a reference in a sentence, then it is found and upper-cased', () => {
    expect(findReference('status of cmp-20261129-4f7q please')).toBe('CMP-20261129-4F7Q');
    expect(findReference('查询CMP-20261129-4F7Q的进度')).toBe('CMP-20261129-4F7Q');
    expect(findReference('查询ＣＭＰ－20261129－4F7Q')).toBe('CMP-20261129-4F7Q');
    expect(findReference('CBK-20261129-4F7Q', 'CMP')).toBeUndefined();
    expect(findReference('我的投诉进度')).toBeUndefined();
  });
});
