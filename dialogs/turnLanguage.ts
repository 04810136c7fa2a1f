import type { TurnContext } from 'botbuilder';
import { DEFAULT_LANGUAGE, type Language } from '../services/i18n/localizer';

const LANGUAGE_KEY = Symbol('rapport.turnLanguage');

/**
 * The language of the current turn. The bot resolves it before any dialog runs (explicit
 * choice, then the activity's locale, then the text's script) and persists it after the turn;
 * dialogs only read it, or change it when the client asks to switch.
 */
export function turnLanguage(context: TurnContext): Language {
  return (context.turnState.get(LANGUAGE_KEY) as Language | undefined) ?? DEFAULT_LANGUAGE;
}

/** Sets the turn's language (the bot persists it as the conversation's language). */
export function setTurnLanguage(context: TurnContext, language: Language): void {
  context.turnState.set(LANGUAGE_KEY, language);
}
