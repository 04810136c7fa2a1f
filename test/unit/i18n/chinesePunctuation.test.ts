/**
 * Chinese text takes full-width punctuation: "（如 CMP-…），请输入" reads right, "（如 CMP-…）,请输入"
 * looks broken to a Chinese reader. Every zh-CN resource string is checked for a half-width comma,
 * semicolon, colon, exclamation or question mark, or parenthesis, touching a Chinese character or
 * full-width bracket or quote. (Half-width marks between Latin text and numbers are fine.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../support/dialogHarness';

const HALF_WIDTH_NEXT_TO_CHINESE = /[\p{Script=Han}）」”][,;:!?()]|[,;:!?()][\p{Script=Han}（「“]/u;

function strings(value: unknown, key: string): Array<[string, string]> {
  if (typeof value === 'string') return [[key, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${key}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, key ? `${key}.${k}` : k));
  return [];
}

const directory = path.join(repoRoot, 'locales/zh-CN');
const files = fs.readdirSync(directory).filter((f) => f.endsWith('.json'));

describe('zh-CN resource punctuation', () => {
  test('When the zh-CN resources are read, then there are some to check', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  test.each(files)('When %s is read, then no half-width punctuation touches Chinese text', (file) => {
    const entries = strings(JSON.parse(fs.readFileSync(path.join(directory, file), 'utf8')), '');
    expect(entries.length).toBeGreaterThan(0);
    const offending = entries.filter(([, text]) => HALF_WIDTH_NEXT_TO_CHINESE.test(text)).map(([key, text]) => `${key}: ${text}`);
    expect(offending).toEqual([]);
  });

  test('When a string has a half-width comma after a Chinese bracket, then the check catches it', () => {
    expect(HALF_WIDTH_NEXT_TO_CHINESE.test('如果您有受理编号（如 CMP-20261129-4F7Q）,请输入')).toBe(true);
    expect(HALF_WIDTH_NEXT_TO_CHINESE.test('如果您有受理编号（如 CMP-20261129-4F7Q），请输入')).toBe(false);
    expect(HALF_WIDTH_NEXT_TO_CHINESE.test('时间：09:00-17:30 (UTC+8), CMP-20261129-4F7Q')).toBe(false);
  });
});
