import { ActionTypes } from 'botbuilder';
import { WaterfallDialog, type Choice, type DialogTurnResult, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import { LANGUAGES, type Language, type Localizer } from '../services/i18n/localizer';
import { InterruptibleDialog, type InterruptedOutcome, type InterruptionDependencies } from './interruptibleDialog';
import { LocalizedChoicePrompt, type LocalizedPromptOptions } from './prompts/localizedChoicePrompt';

export const CLARIFY_INTENT_DIALOG = 'clarifyIntentDialog';
const WATERFALL = 'clarifyIntentDialog.waterfall';
const CHOICE_PROMPT = 'clarifyIntentDialog.choice';
/** The value of the "something else" button. */
const NEITHER = 'neither';
/** An answer that is still not one of the buttons after the retry ends the question. */
const MAX_ATTEMPTS = 2;

/** One intent offered, with the dialog (and its options) it leads to. */
export interface ClarifyChoice {
  intent: string;
  dialogId: string;
  options?: object;
}

/** Options in: the intents to offer, most likely first. */
export interface ClarifyIntentOptions {
  choices: ClarifyChoice[];
}

/** Result out: the chosen route, or no match ("something else", or no usable answer). */
export type ClarifyIntentResult =
  | ({ outcome: 'clarified' } & ClarifyChoice)
  | { outcome: 'no_match' }
  | InterruptedOutcome;

/**
 * Asks which of two nearly tied intents the client means ("查询已预约的回电" / "预约回电" /
 * "都不是"). The dialog only asks; the main dialog starts the chosen route, so follow-ups after
 * it work as for any routed message.
 */
export class ClarifyIntentDialog extends InterruptibleDialog {
  constructor(deps: InterruptionDependencies) {
    super(CLARIFY_INTENT_DIALOG, deps, 'main.clarifyHelp');
    const { localizer } = deps;
    this.addDialog(new LocalizedChoicePrompt(CHOICE_PROMPT, (language, data) => ({
      prompt: localizer.t(language, 'main.clarifyQuestion'),
      retry: localizer.t(language, 'main.clarifyRetry'),
      choices: clarifyChoices(localizer, language, (data.intents as string[] | undefined) ?? []),
    }), async (prompt) => prompt.recognized.succeeded || prompt.attemptCount >= MAX_ATTEMPTS));
    this.addDialog(new WaterfallDialog(WATERFALL, [this.askStep.bind(this), this.answerStep.bind(this)]));
    this.initialDialogId = WATERFALL;
  }

  private choices(step: WaterfallStepContext): ClarifyChoice[] {
    return (step.options as ClarifyIntentOptions | undefined)?.choices ?? [];
  }

  private async askStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const choices = this.choices(step);
    if (choices.length === 0) return step.endDialog({ outcome: 'no_match' } satisfies ClarifyIntentResult);
    const prompt: LocalizedPromptOptions = { data: { intents: choices.map((c) => c.intent) } };
    return step.prompt(CHOICE_PROMPT, prompt);
  }

  private async answerStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const found = step.result as FoundChoice | undefined;
    const chosen = found && found.value !== NEITHER ? this.choices(step).find((c) => c.intent === found.value) : undefined;
    if (!chosen) return step.endDialog({ outcome: 'no_match' } satisfies ClarifyIntentResult);
    return step.endDialog({ outcome: 'clarified', ...chosen } satisfies ClarifyIntentResult);
  }
}

/** A button per intent (its name in `main.intentNames`) and "something else"; both languages' names match typed answers. */
function clarifyChoices(localizer: Localizer, language: Language, intents: string[]): Choice[] {
  const choice = (value: string, key: string): Choice => {
    const title = localizer.t(language, key);
    return { value, action: { type: ActionTypes.ImBack, title, value: title }, synonyms: LANGUAGES.map((l) => localizer.t(l, key)) };
  };
  return [...intents.map((intent) => choice(intent, `main.intentNames.${intent}`)), choice(NEITHER, 'main.clarifyNeither')];
}
