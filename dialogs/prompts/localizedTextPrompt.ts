import type { TurnContext } from 'botbuilder';
import { TextPrompt, type PromptOptions, type PromptValidator } from 'botbuilder-dialogs';
import type { Language } from '../../services/i18n/localizer';
import { turnLanguage } from '../turnLanguage';
import type { LocalizedPromptOptions } from './localizedChoicePrompt';

/** Renders a text prompt in a language. */
export type TextPromptRenderer = (language: Language, data: Record<string, unknown>) => { prompt: string; retry?: string };

/**
 * A TextPrompt whose question is rendered in the turn's language every time it is shown,
 * so a re-prompt after a language switch is in the new language.
 */
export class LocalizedTextPrompt extends TextPrompt {
  constructor(dialogId: string, private readonly render: TextPromptRenderer, validator?: PromptValidator<string>) {
    super(dialogId, validator);
  }

  protected override async onPrompt(context: TurnContext, state: any, options: PromptOptions, isRetry: boolean): Promise<void> {
    const rendered = this.render(turnLanguage(context), (options as LocalizedPromptOptions).data ?? {});
    await super.onPrompt(context, state, { ...options, prompt: rendered.prompt, retryPrompt: rendered.retry ?? rendered.prompt }, isRetry);
  }
}
