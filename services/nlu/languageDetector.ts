/**
 * Per-message language detection by script: Han characters mean Chinese, Latin letters English.
 */
import type { NluLanguage } from './intentRecognizer';

const HAN = /\p{Script=Han}/gu;
const LATIN = /\p{Script=Latin}/gu;

/**
 * Detects the language of a message from its characters.
 *
 * Mixed text goes to the dominant script, weighing one Han character as about four Latin
 * letters (a Chinese word is one or two characters); two or more Han characters always mean
 * Chinese, since a client who writes any Chinese words reads Chinese replies. Exact ties and
 * text with neither script (empty, digits, emoji) fall back to `locale` ('zh…' → 'zh'), else English.
 */
export function detectLanguage(text: string, locale?: string): NluLanguage {
  const han = text.match(HAN)?.length ?? 0;
  const latin = text.match(LATIN)?.length ?? 0;
  if (han === 0 && latin === 0) return localeLanguage(locale);
  if (han >= 2 || han * 4 > latin) return 'zh';
  if (han * 4 === latin) return localeLanguage(locale);
  return 'en';
}

/** Maps a locale such as 'zh-CN' or 'en-US' to a language; anything else is English. */
export function localeLanguage(locale?: string): NluLanguage {
  return typeof locale === 'string' && locale.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}
