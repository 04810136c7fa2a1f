import { DEFAULT_LANGUAGE, languageFromLocale, type Language } from '../i18n/localizer';

export interface LanguageSignals {
  /** A language the client explicitly asked for ("English please", "说中文"). */
  chosen?: Language;
  /** The activity's locale, as the channel reports it. */
  locale?: string;
  /** The message text. */
  text?: string;
  /** The conversation's language so far. */
  previous?: Language;
}

const HAN = /\p{Script=Han}/u;
const LATIN_WORD = /[A-Za-z]{2,}/g;

/** The language a message's script says, or undefined when it says nothing clear. */
export function languageFromScript(text: string | undefined): Language | undefined {
  if (!text) return undefined;
  if (HAN.test(text)) return 'zh-CN';
  return (text.match(LATIN_WORD) ?? []).length >= 2 ? 'en' : undefined;
}

/**
 * The conversation's language follows the client: an explicit choice first, then the
 * channel's locale, then the script of what they typed, then what it was before (Chinese
 * by default, since most clients write Chinese).
 */
export function resolveLanguage(signals: LanguageSignals): Language {
  return signals.chosen
    ?? languageFromLocale(signals.locale)
    ?? languageFromScript(signals.text)
    ?? signals.previous
    ?? DEFAULT_LANGUAGE;
}
