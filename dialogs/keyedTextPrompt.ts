import { ActionTypes, InputHints, MessageFactory, type Activity, type TurnContext } from 'botbuilder';
import { TextPrompt, type PromptOptions, type PromptValidator } from 'botbuilder-dialogs';
import type { Localizer } from '../services/i18n/localizer';
import { formatDateTime } from '../services/i18n/formatters';
import { turnLanguage } from './turnLanguage';
import { UNIVERSAL_ACTION_CHANNELS } from './cards/surveyQuestionCard';
import { replyChoicesCard } from './cards/replyChoicesCard';

/**
 * A prompt described by resource keys, not by finished text, so that re-asking after a
 * language switch ("English please") renders it in the new language. Instants are kept as
 * ISO text and formatted at render time for the same reason.
 */
export interface PromptSpec {
  key: string;
  params?: Record<string, string | number>;
  /** Placeholders holding instants (ISO), formatted for the turn's language. */
  times?: Record<string, string>;
  /** Placeholders holding resource keys, rendered in the turn's language. */
  keys?: Record<string, string>;
  retryKey?: string;
  /** Suggested actions: a resource key, or an instant (ISO) shown formatted; `value` is what the click sends. */
  buttons?: Array<{ titleKey?: string; time?: string; title?: string; value?: string }>;
}

/** Renders a {@link PromptSpec} in the turn's language. */
export function renderPrompt(context: TurnContext, localizer: Localizer, timeZone: string, spec: PromptSpec, retry = false): Partial<Activity> {
  const language = turnLanguage(context);
  const params: Record<string, string | number> = { ...spec.params };
  for (const [name, iso] of Object.entries(spec.times ?? {})) params[name] = formatDateTime(new Date(iso), language, timeZone);
  for (const [name, key] of Object.entries(spec.keys ?? {})) params[name] = localizer.has(language, key) ? localizer.t(language, key) : key;
  const text = localizer.t(language, retry && spec.retryKey ? spec.retryKey : spec.key, params);
  const buttons = (spec.buttons ?? []).map((b) => {
    const title = b.titleKey ? localizer.t(language, b.titleKey) : b.time ? formatDateTime(new Date(b.time), language, timeZone) : b.title ?? '';
    return { title, value: b.value ?? title };
  });
  // Teams shows no suggested actions in channels and group chats: the buttons go on a card there.
  if (buttons.length && UNIVERSAL_ACTION_CHANNELS.includes(context.activity.channelId)) return replyChoicesCard(text, buttons);
  const activity = MessageFactory.text(text, text, InputHints.ExpectingInput);
  if (buttons.length) {
    activity.suggestedActions = { to: [], actions: buttons.map((b) => ({ type: ActionTypes.ImBack, title: b.title, value: b.value })) };
  }
  return activity;
}

/**
 * A {@link TextPrompt} whose prompt is a {@link PromptSpec} passed as `options.validations`.
 * Unlike prompts/localizedTextPrompt.ts (a render function per prompt), the spec is plain
 * data with keys, instants and suggested-action buttons, which the callback prompts need.
 */
export class KeyedTextPrompt extends TextPrompt {
  constructor(dialogId: string, private readonly localizer: Localizer, private readonly timeZone: string, validator?: PromptValidator<string>) {
    super(dialogId, validator);
  }

  protected override async onPrompt(context: TurnContext, state: any, options: PromptOptions, isRetry: boolean): Promise<void> {
    const spec = options.validations as PromptSpec | undefined;
    if (!spec?.key) return super.onPrompt(context, state, options, isRetry);
    await context.sendActivity(renderPrompt(context, this.localizer, this.timeZone, spec, isRetry));
  }
}
