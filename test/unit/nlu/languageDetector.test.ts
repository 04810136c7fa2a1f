import { detectLanguage } from '../../../services/nlu/languageDetector';

describe('detectLanguage', () => {
  it.each([
    ['I want to check my loan application', undefined, 'en'],
    ['我想查询贷款申请进度', undefined, 'zh'],
    ['我想 check 一下我的 loan status', undefined, 'zh'],
    ['please call me back about the 贷款 today', 'en-US', 'zh'],
    ['what does 元 mean in my statement please', undefined, 'en'],
    ['I want to book a callback', 'zh-CN', 'en'],
    ['你好', 'en-US', 'zh'],
    ['元 abcd', 'en-US', 'en'],
    ['元 abcd', 'zh-CN', 'zh'],
  ])('When the text is "%s" (locale %s), then the language is %s', (text, locale, expected) => {
    expect(detectLanguage(text, locale)).toBe(expected);
  });

  it.each([
    ['', 'zh-CN', 'zh'],
    ['12345 😀', 'zh-cn', 'zh'],
    ['', 'en-US', 'en'],
    ['😀', undefined, 'en'],
  ])('When the text "%s" has no letters, then the locale %s decides (%s)', (text, locale, expected) => {
    expect(detectLanguage(text, locale)).toBe(expected);
  });
});
