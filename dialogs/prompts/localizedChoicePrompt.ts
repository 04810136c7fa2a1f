import { ActionTypes, CardFactory, InputHints, MessageFactory, type TurnContext } from 'botbuilder';
import {
  ChoicePrompt, ListStyle,
  type Choice, type FoundChoice, type PromptOptions, type PromptRecognizerResult, type PromptValidator,
} from 'botbuilder-dialogs';
import type { Language } from '../../services/i18n/localizer';
import { turnLanguage } from '../turnLanguage';

/** Prompt options that carry data, not text: the text is rendered in the turn's language each time it is shown. */
export interface LocalizedPromptOptions extends PromptOptions {
  /** Serializable values the renderer needs (stored in dialog state). */
  data?: Record<string, unknown>;
}

/** Renders a choice prompt in a language. Choices' `synonyms` should hold every language's words, so a client who switches language mid-step is still understood. */
export type ChoicePromptRenderer = (language: Language, data: Record<string, unknown>) => { prompt: string; retry: string; choices: Choice[] };

/**
 * A ChoicePrompt whose text and buttons follow the turn's language, even when it is
 * re-shown after "English please" / "说中文" (a plain prompt would repeat its stored text
 * in the old language). Typed answers are matched first by any synonym appearing inside the
 * message (botbuilder's tokenizer keeps a run of Chinese characters as one token, so
 * "收费太高了" would otherwise not match "收费"), then by the standard recognizer.
 */
export class LocalizedChoicePrompt extends ChoicePrompt {
  constructor(dialogId: string, private readonly render: ChoicePromptRenderer, validator?: PromptValidator<FoundChoice>) {
    super(dialogId, validator);
    // Buttons (suggested actions) where the channel shows them (Web Chat, Direct Line,
    // Emulator); a hero card in Teams (see onPrompt); elsewhere a numbered list, answerable by number.
    this.style = ListStyle.auto;
  }

  protected override async onPrompt(context: TurnContext, state: any, options: PromptOptions, isRetry: boolean): Promise<void> {
    const localized = this.localize(context, options);
    if (context.activity.channelId === 'msteams' && (localized.style ?? this.style) === ListStyle.auto) {
      // For Teams botbuilder picks a hero card whose buttons show the choice values (codes
      // such as "fees_charges"); the same card with the localized titles instead.
      const text = (isRetry && localized.retryPrompt ? localized.retryPrompt : localized.prompt) as string;
      const buttons = (localized.choices as Choice[]).map((c) => c.action ?? { type: ActionTypes.ImBack, title: c.value, value: c.value });
      await context.sendActivity(MessageFactory.attachment(CardFactory.heroCard('', text, undefined, buttons), undefined, undefined, InputHints.ExpectingInput));
      return;
    }
    await super.onPrompt(context, state, localized, isRetry);
  }

  protected override async onRecognize(context: TurnContext, state: any, options: PromptOptions): Promise<PromptRecognizerResult<FoundChoice>> {
    const localized = this.localize(context, options);
    const text = context.activity.text ?? '';
    const found = findSynonymInText(text, localized.choices as Choice[]);
    if (found) return { succeeded: true, value: found };
    // The standard recognizer adds numbers and ordinals ("2", "第二个"); inside a sentence a
    // number is not a choice ("等了一个月" is not choice 1), so only short answers may use it.
    if (!isShortAnswer(text)) return { succeeded: false };
    return super.onRecognize(context, state, localized);
  }

  private localize(context: TurnContext, options: PromptOptions): PromptOptions {
    const rendered = this.render(turnLanguage(context), (options as LocalizedPromptOptions).data ?? {});
    return {
      ...options,
      prompt: rendered.prompt,
      retryPrompt: rendered.retry,
      choices: rendered.choices,
      recognizeLanguage: turnLanguage(context) === 'zh-CN' ? 'zh-cn' : 'en-us',
    };
  }
}

/** The choice whose longest synonym (or title) occurs in `text`; latin words must match whole. */
export function findSynonymInText(text: string, choices: Choice[]): FoundChoice | undefined {
  const normalized = normalize(text);
  if (!normalized) return undefined;
  let best: { choice: Choice; index: number; term: string } | undefined;
  choices.forEach((choice, index) => {
    for (const term of choiceTerms(choice)) {
      if (!contains(normalized, term)) continue;
      if (!best || term.length > best.term.length) best = { choice, index, term };
    }
  });
  return best && { value: best.choice.value, index: best.index, score: 1, synonym: best.term };
}

/** The values of every choice one of whose synonyms (or title) occurs in `text`, in choice order. */
export function choicesNamedIn(text: string, choices: Choice[]): string[] {
  const normalized = normalize(text);
  if (!normalized) return [];
  return choices.filter((choice) => choiceTerms(choice).some((term) => contains(normalized, term))).map((choice) => choice.value);
}

/** Whether the whole text is just one of the words that name a choice ("Online banking", "网银"). */
export function isChoiceWording(text: string, choices: Choice[]): boolean {
  const normalized = normalize(text);
  return Boolean(normalized) && choices.some((choice) => choiceTerms(choice).includes(normalized));
}

/** The words that name a choice, normalised: its value, its title and its synonyms. */
function choiceTerms(choice: Choice): string[] {
  return [choice.value, choice.action?.title ?? '', ...(choice.synonyms ?? [])].map(normalize).filter(Boolean);
}

function isShortAnswer(text: string): boolean {
  const trimmed = text.trim();
  if (/[\p{Script=Han}]/u.test(trimmed)) return [...trimmed].length <= 6;
  return trimmed.split(/\s+/).length <= 4;
}

function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\p{P}\p{S}]+/gu, ' ').replace(/\s+/g, ' ').trim();
}

function contains(text: string, term: string): boolean {
  if (/[\p{Script=Han}]/u.test(term)) return text.includes(term);
  return ` ${text} `.includes(` ${term} `);
}
