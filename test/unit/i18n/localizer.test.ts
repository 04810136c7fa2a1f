import path from 'node:path';
import { Localizer, languageFromLocale } from '../../../services/i18n/localizer';
import { formatMoney } from '../../../services/i18n/formatters';

const localesDir = path.resolve(__dirname, '../../../locales');
const localizer = new Localizer(localesDir);

describe('Localizer', () => {
  test('When both languages are compared, then every namespace has the same keys and placeholders', () => {
    expect(localizer.keys('en')).toEqual(localizer.keys('zh-CN'));
    const placeholders = (s: string) => [...new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
    for (const key of localizer.keys('en')) {
      const en = localizer.list('en', key).join('\n');
      const zh = localizer.list('zh-CN', key).join('\n');
      expect([key, placeholders(zh)]).toEqual([key, placeholders(en)]);
    }
  });

  test('When a Chinese resource is read, then it uses full-width punctuation, not ASCII commas between Chinese characters', () => {
    const offenders = localizer.keys('zh-CN').filter((key) => /[\u4e00-\u9fff],[\u4e00-\u9fff]/.test(localizer.list('zh-CN', key).join('')));
    expect(offenders).toEqual([]);
  });

  test('When a list resource is changed by a caller, then the catalog is not changed', () => {
    const first = localizer.list('en', 'main.menuChoices');
    first.unshift('something else');
    expect(localizer.list('en', 'main.menuChoices')[0]).not.toBe('something else');
  });

  test('When a key or a placeholder is missing, then it throws rather than show a client a raw key', () => {
    expect(() => localizer.t('en', 'main.nope')).toThrow(/Missing locale resource en:main.nope/);
    expect(() => localizer.t('en', 'main.greeting')).toThrow(/Missing placeholder \{bankName\}/);
    expect(localizer.t('en', 'main.greeting', { bankName: 'X Bank' })).toContain('X Bank');
  });

  test.each([
    ['en-US', 'en'], ['EN', 'en'], ['zh-Hans-CN', 'zh-CN'], ['zh-TW', 'zh-CN'], ['fr-FR', undefined], [undefined, undefined],
  ])('When the locale is %s, then the language is %s', (locale, language) => {
    expect(languageFromLocale(locale as string | undefined)).toBe(language);
  });

  test.each([
    [3_000_000, 'CNY', 'zh-CN', '300万元'],
    [150_000_000, 'CNY', 'zh-CN', '1.5亿元'],
    [800, 'CNY', 'zh-CN', '800元'],
    [2_000_000, 'USD', 'en', '$2,000,000.00'],
  ])('When %d %s is formatted for %s, then it reads %s', (amount, currency, language, expected) => {
    expect(formatMoney(amount, currency, language as 'zh-CN' | 'en')).toBe(expected);
  });
});
