/**
 * Entity extraction: a data-driven table (test/fixtures/nlu/entity-cases.json) with exact values,
 * plus span invariants, time-zone handling and bad or very long input.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractEntities, parseNumeral, type NluLanguage, type RecognizedEntity } from '../../../services/nlu/entityExtractor';

interface EntityCase {
  id: string;
  language: NluLanguage;
  text: string;
  expected: Array<Pick<RecognizedEntity, 'type' | 'text' | 'value'>>;
}

const fixture = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'nlu', 'entity-cases.json'), 'utf8')) as {
  referenceDate: string;
  cases: EntityCase[];
};
const REFERENCE = new Date(fixture.referenceDate);

function assertWellFormed(text: string, entities: RecognizedEntity[]): void {
  let previousEnd = 0;
  for (const entity of entities) {
    expect(entity.start).toBeGreaterThanOrEqual(previousEnd);
    expect(entity.end).toBeGreaterThan(entity.start);
    expect(text.slice(entity.start, entity.end)).toBe(entity.text);
    previousEnd = entity.end;
  }
}

describe('extractEntities', () => {
  it('When the case table is loaded, then it holds at least 30 cases per language', () => {
    expect(fixture.cases.filter((c) => c.language === 'zh').length).toBeGreaterThanOrEqual(30);
    expect(fixture.cases.filter((c) => c.language === 'en').length).toBeGreaterThanOrEqual(30);
    expect(new Set(fixture.cases.map((c) => c.id)).size).toBe(fixture.cases.length);
  });

  it.each(fixture.cases.map((c) => [c.id, c] as const))(
    'When case %s is extracted, then exactly the expected entities are found with non-overlapping spans',
    (_id, entityCase) => {
      const entities = extractEntities(entityCase.text, entityCase.language, REFERENCE);
      expect(entities.map(({ type, text, value }) => ({ type, text, value }))).toEqual(entityCase.expected);
      assertWellFormed(entityCase.text, entities);
    },
  );

  it('When the reference instant is late evening UTC, then relative dates follow the Asia/Shanghai calendar day', () => {
    // 2026-11-27T20:00Z is 2026-11-28 04:00 in Shanghai, so 明天 / tomorrow is the 29th.
    const lateUtc = new Date('2026-11-27T20:00:00Z');
    const [zh] = extractEntities('明天', 'zh', lateUtc);
    const [en] = extractEntities('tomorrow', 'en', lateUtc);
    expect(zh.value).toMatchObject({ type: 'date', timex: '2026-11-29' });
    expect(en.value).toMatchObject({ type: 'date', timex: '2026-11-29' });
  });

  it('When no reference date is given, then relative dates still resolve without throwing', () => {
    const entities = extractEntities('明天下午三点', 'zh');
    expect(entities).toHaveLength(1);
    expect(entities[0].type).toBe('datetime');
  });

  it.each([
    ['empty', ''],
    ['whitespace', ' \t\n '],
    ['control characters', '\u0000\u0001\u0007\u001b'],
    ['lone surrogate', '\ud800 明天 \udc00'],
    ['emoji only', '😀🎉🙏'],
  ])('When the input is %s, then extraction returns a list without throwing', (_name, text) => {
    expect(() => extractEntities(text, 'zh', REFERENCE)).not.toThrow();
    expect(() => extractEntities(text, 'en', REFERENCE)).not.toThrow();
    expect(Array.isArray(extractEntities(text, 'en', REFERENCE))).toBe(true);
  });

  it('When the input is not a string at run time, then an empty list is returned', () => {
    expect(extractEntities(undefined as unknown as string, 'zh', REFERENCE)).toEqual([]);
    expect(extractEntities(null as unknown as string, 'en', new Date(Number.NaN))).toEqual([]);
  });

  it('When the reference date is invalid, then extraction does not throw', () => {
    expect(() => extractEntities('tomorrow 3pm, USD 2 million', 'en', new Date(Number.NaN))).not.toThrow();
  });

  it('When the input is 10,000 characters long, then only the start is scanned and it finishes quickly', () => {
    const long = '我想贷款300万，明天下午三点给我回电，电话13812345678。'.repeat(400);
    const started = Date.now();
    const entities = extractEntities(long, 'zh', REFERENCE);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(entities.every((e) => e.end <= 2000)).toBe(true);
    expect(entities.some((e) => e.type === 'phone')).toBe(true);
    assertWellFormed(long, entities);
    const digits = '1'.repeat(10_000);
    const startedDigits = Date.now();
    expect(extractEntities(digits, 'en', REFERENCE)).toEqual([]);
    expect(Date.now() - startedDigits).toBeLessThan(3000);
  });

  it('When a message has no date cue, then it is handled without the date recognizer in well under 5 ms', () => {
    extractEntities('warm-up 明天', 'zh', REFERENCE);
    const started = process.hrtime.bigint();
    for (let i = 0; i < 100; i++) extractEntities('你好，我想咨询一下流动资金贷款的利率和手续费', 'zh', REFERENCE);
    const perCallMs = Number(process.hrtime.bigint() - started) / 1e6 / 100;
    expect(perCallMs).toBeLessThan(5);
  });
});

describe('parseNumeral', () => {
  it.each([
    ['300万', 3_000_000],
    ['1.5亿', 150_000_000],
    ['三百万', 3_000_000],
    ['一千二百万', 12_000_000],
    ['两千五百万', 25_000_000],
    ['3千万', 30_000_000],
    ['十五万', 150_000],
    ['一万三千', 13_000],
    ['一百零五', 105],
    ['十亿', 1_000_000_000],
    ['一亿两千万', 120_000_000],
    ['2,000,000', 2_000_000],
    ['壹佰万', 1_000_000],
  ])('When "%s" is parsed, then the value is %d', (token, expected) => {
    expect(parseNumeral(token)).toBe(expected);
  });

  it('When the token holds something other than numerals, then nothing is returned', () => {
    expect(parseNumeral('abc')).toBeUndefined();
    expect(parseNumeral('')).toBeUndefined();
  });
});
