/**
 * Small numbers and ordinals as clients type them in either language: "2", "二", "十二", "第二个",
 * "the second one". Used wherever a reply picks from a short list or names a day or month.
 */

const CHINESE_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const ENGLISH_ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];

/** Chinese numerals 0-99: "五", "十", "十一", "二十", "九十九"; undefined for anything else. */
export function chineseNumber(s: string): number | undefined {
  if (!s || !/^[零〇一二两三四五六七八九十]+$/.test(s)) return undefined;
  if (s.length === 1 && s in CHINESE_DIGITS) return CHINESE_DIGITS[s];
  const m = /^([一二两三四五六七八九])?十([一二三四五六七八九])?$/.exec(s);
  if (m) return (m[1] ? CHINESE_DIGITS[m[1]] : 1) * 10 + (m[2] ? CHINESE_DIGITS[m[2]] : 0);
  return undefined;
}

/** One or two digits, or a Chinese numeral up to 99. */
export function smallNumber(s: string): number | undefined {
  return /^\d{1,2}$/.test(s) ? Number(s) : chineseNumber(s);
}

/**
 * The position a reply names in a list (1-based): "2", "2.", "no. 2", "option 2", "#2", "第二个",
 * "第2项", "second", "the second one". Expects text already lower-cased and NFKC-normalised.
 */
export function choiceOrdinal(n: string): number | undefined {
  let m = /^(?:no\.?\s*|option\s*|#)?(\d{1,2})\.?$/.exec(n);
  if (m) return Number(m[1]);
  m = /^第\s*([\d一二两三四五六七八九十]+)\s*(?:个|项|条|种|点)?$/.exec(n);
  if (m) return /^\d+$/.test(m[1]) ? Number(m[1]) : chineseNumber(m[1]);
  m = /^(?:the\s+)?(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)(?:\s+one)?$/.exec(n);
  if (m) return ENGLISH_ORDINALS.indexOf(m[1]) + 1;
  return undefined;
}
