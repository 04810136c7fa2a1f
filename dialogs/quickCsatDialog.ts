import { ActivityTypes, type TurnContext } from 'botbuilder';
import { DialogTurnStatus, WaterfallDialog, type DialogContext, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { InterruptibleDialog, type InterruptedOutcome, type InterruptionDependencies } from './interruptibleDialog';
import { SurveyQuestionPrompt, type SurveyQuestionOutcome } from './surveyQuestionPrompt';
import { turnLanguage } from './turnLanguage';
import type { AnswerParser } from '../services/surveys/answerParser';
import type { CustomerRepository } from '../services/customers/customerRepository';
import type { SurveyDefinitionRepository } from '../services/surveys/surveyDefinitionRepository';
import { respondentKeyFor, type SurveyResponseRepository } from '../services/surveys/surveyResponseRepository';

export const QUICK_CSAT_DIALOG = 'quickCsatDialog';
/** The one-question survey offered after a complaint or a callback booking (data/surveys/quick-csat.json). */
export const QUICK_CSAT_SURVEY_ID = 'quick-csat';
const QUICK_CSAT_WATERFALL = 'quickCsatDialog.main';
const EASE_PROMPT = 'quickCsatDialog.easePrompt';

/** Offers the quick CSAT after a finished task. */
export interface QuickCsatDialogOptions {
  /** What the client just did (`handoff`: talked with an agent, who handed them back to the bot). */
  context: 'complaint' | 'callback' | 'handoff';
  /** The complaint or callback reference, stored with the answer. */
  reference?: string;
}

/** The client rated (1-5), declined, or gave no valid score. */
export type QuickCsatResult = { outcome: 'answered'; score: number } | { outcome: 'declined' } | { outcome: 'unanswered' };

/** What the quick CSAT needs besides the interruption dependencies. */
export interface QuickCsatDialogDependencies extends InterruptionDependencies {
  definitions: SurveyDefinitionRepository;
  responses: SurveyResponseRepository;
  parser: AnswerParser;
  customers?: CustomerRepository;
  cardChannels?: readonly string[];
}

/**
 * "How easy was this?" in one question, which the client may decline. The score is saved as the
 * client's quick-csat response with the task's reference as meta (one response per client: the
 * latest rating replaces the previous one).
 */
export class QuickCsatDialog extends InterruptibleDialog {
  constructor(private readonly csatDeps: QuickCsatDialogDependencies) {
    super(QUICK_CSAT_DIALOG, csatDeps, 'survey.csatHelp');
    if (!csatDeps.definitions || !csatDeps.responses || !csatDeps.parser) throw new Error(`${QUICK_CSAT_DIALOG} needs definitions, responses and a parser`);
    this.addDialog(new SurveyQuestionPrompt(EASE_PROMPT, { localizer: csatDeps.localizer, parser: csatDeps.parser, cardChannels: csatDeps.cardChannels }));
    this.addDialog(new WaterfallDialog(QUICK_CSAT_WATERFALL, [this.easeStep.bind(this), this.saveStep.bind(this)]));
    this.initialDialogId = QUICK_CSAT_WATERFALL;
  }

  /**
   * "不用了" is also a global cancel word; here it means "no thanks", so a decline is caught
   * before the interruptions and answered as a decline, not as a cancelled task.
   */
  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    const activity = innerDc.context.activity;
    if (activity.type === ActivityTypes.Message && this.csatDeps.parser.isDecline(activity.text)) {
      await innerDc.cancelAllDialogs();
      await innerDc.context.sendActivity(this.t(innerDc, 'survey.csatDeclined'));
      return { status: DialogTurnStatus.complete, result: { outcome: 'declined' } satisfies QuickCsatResult };
    }
    return super.onContinueDialog(innerDc);
  }

  /** Asks how easy it was, with a "No thanks" button. */
  private async easeStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as QuickCsatDialogOptions;
    if (!['complaint', 'callback', 'handoff'].includes(options?.context)) throw new Error(`${QUICK_CSAT_DIALOG} needs a context of complaint, callback or handoff`);
    const definition = await this.csatDeps.definitions.get(QUICK_CSAT_SURVEY_ID);
    if (!definition) return step.endDialog({ outcome: 'declined' } satisfies QuickCsatResult); // nothing to offer; never block the task's end
    (step.values as { questionId?: string }).questionId = definition.questions[0].id;
    return step.beginDialog(EASE_PROMPT, { surveyId: definition.id, question: definition.questions[0], position: 1, total: 1, offerDecline: true });
  }

  /** Saves the score with the reference, and thanks the client. */
  private async saveStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as QuickCsatDialogOptions;
    const outcome = step.result as SurveyQuestionOutcome;
    if (outcome.status === 'skipped') {
      await step.context.sendActivity(this.t(step, 'survey.csatDeclined'));
      return step.endDialog({ outcome: 'declined' } satisfies QuickCsatResult);
    }
    if (outcome.status === 'unanswered' || typeof outcome.value !== 'number') {
      await step.context.sendActivity(this.t(step, 'survey.csatUnanswered'));
      return step.endDialog({ outcome: 'unanswered' } satisfies QuickCsatResult);
    }
    const respondentKey = await this.respondentKey(step.context);
    const activity = step.context.activity;
    await this.csatDeps.responses.saveAnswer(QUICK_CSAT_SURVEY_ID, respondentKey, (step.values as { questionId: string }).questionId, outcome.value, {
      context: options.context, reference: options.reference ?? '', channelId: activity.channelId, userId: activity.from.id, language: turnLanguage(step.context),
    });
    await this.csatDeps.responses.complete(QUICK_CSAT_SURVEY_ID, respondentKey);
    await step.context.sendActivity(this.t(step, 'survey.csatThanks', { score: outcome.value }));
    return step.endDialog({ outcome: 'answered', score: outcome.value } satisfies QuickCsatResult);
  }

  private async respondentKey(context: TurnContext): Promise<string> {
    const { channelId, from } = context.activity;
    const customer = await this.csatDeps.customers?.findByChannelUser(channelId, from.id);
    return respondentKeyFor(channelId, from.id, customer?.id);
  }
}

/** What a QuickCsatDialog returns: its result, or how an interruption ended it. */
export type QuickCsatDialogResult = QuickCsatResult | InterruptedOutcome;
