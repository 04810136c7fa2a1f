import { ActivityTypes } from 'botbuilder';
import { DialogTurnStatus, WaterfallDialog, type Dialog, type DialogContext, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { InterruptibleDialog, type InterruptedOutcome, type InterruptionDependencies } from './interruptibleDialog';
import { SurveyQuestionPrompt, type SurveyQuestionOutcome } from './surveyQuestionPrompt';
import { turnLanguage } from './turnLanguage';
import { FOLLOW_THROUGH_DIALOG, endWithKeptResult, followThroughThenEnd, respondentKeyOfTurn, type FollowThroughOptions } from './followThroughDialog';
import type { AnswerParser } from '../services/surveys/answerParser';
import type { CustomerRepository } from '../services/customers/customerRepository';
import type { SurveyDefinitionRepository } from '../services/surveys/surveyDefinitionRepository';
import { type SurveyResponseMeta, type SurveyResponseRepository } from '../services/surveys/surveyResponseRepository';

export const QUICK_CSAT_DIALOG = 'quickCsatDialog';
/** The one-question survey offered after a complaint or a callback booking (data/surveys/quick-csat.json). */
export const QUICK_CSAT_SURVEY_ID = 'quick-csat';
const QUICK_CSAT_WATERFALL = 'quickCsatDialog.main';
const EASE_PROMPT = 'quickCsatDialog.easePrompt';

/** Offers the quick CSAT after a finished task. */
export interface QuickCsatDialogOptions {
  /** What the client just did (`handoff`: talked with an agent, who handed them back to the bot; `campaign`: got a campaign's message). */
  context: 'complaint' | 'callback' | 'handoff' | 'campaign';
  /** The complaint or callback reference (or the campaign id), stored with the answer. */
  reference?: string;
  /** Who answers: a customer id when the caller knows it; else looked up or `${channelId}:${userId}`. */
  respondentKey?: string;
  /** Where the response is stored (default `quick-csat`), e.g. one per campaign: `campaign:<id>`. */
  responseSurveyId?: string;
  /** Stored with the response (e.g. `{ campaignId }`). */
  meta?: SurveyResponseMeta;
  /** The caller runs the follow-through itself (after recording the answer): the result carries its options instead. */
  deferFollowThrough?: boolean;
}

const CONTEXTS: ReadonlyArray<QuickCsatDialogOptions['context']> = ['complaint', 'callback', 'handoff', 'campaign'];

/** The client rated (1-5), declined, or gave no valid score. */
export type QuickCsatResult =
  | { outcome: 'answered'; score: number; followThrough?: FollowThroughOptions }
  | { outcome: 'declined' }
  | { outcome: 'unanswered' };

/** What the quick CSAT needs besides the interruption dependencies. */
export interface QuickCsatDialogDependencies extends InterruptionDependencies {
  definitions: SurveyDefinitionRepository;
  responses: SurveyResponseRepository;
  parser: AnswerParser;
  customers?: CustomerRepository;
  cardChannels?: readonly string[];
  /** When given, a rating of 1-2 is followed through (a task, and a callback offered) after the thanks. */
  followThrough?: Dialog;
  /**
   * When given, "stop / 退订" opts the client out instead of being read as a rating: the CSAT the bot
   * starts after a handoff runs outside the main dialog, which otherwise catches it.
   */
  optOut?: Dialog;
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
    this.addDialog(new SurveyQuestionPrompt(EASE_PROMPT, {
      localizer: csatDeps.localizer, parser: csatDeps.parser, cardChannels: csatDeps.cardChannels, isNewRequest: csatDeps.isNewRequest,
    }));
    if (csatDeps.followThrough) this.addDialog(csatDeps.followThrough);
    if (csatDeps.optOut) this.addDialog(csatDeps.optOut);
    this.addDialog(new WaterfallDialog(QUICK_CSAT_WATERFALL, [this.easeStep.bind(this), this.saveStep.bind(this), endWithKeptResult]));
    this.initialDialogId = QUICK_CSAT_WATERFALL;
  }

  /**
   * "不用了" is also a global cancel word; here it means "no thanks", so a decline is caught
   * before the interruptions and answered as a decline, not as a cancelled task.
   */
  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    // The follow-through offer answers its own yes/no and interruptions.
    if (innerDc.activeDialog?.id === FOLLOW_THROUGH_DIALOG) return innerDc.continueDialog();
    const activity = innerDc.context.activity;
    if (this.csatDeps.optOut && activity.type === ActivityTypes.Message && this.deps.interruptions.isOptOut(activity.text)) {
      await innerDc.cancelAllDialogs();
      return innerDc.beginDialog(this.csatDeps.optOut.id);
    }
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
    if (!CONTEXTS.includes(options?.context)) throw new Error(`${QUICK_CSAT_DIALOG} needs a context of ${CONTEXTS.join(', ')}`);
    const definition = await this.csatDeps.definitions.get(QUICK_CSAT_SURVEY_ID);
    if (!definition) return step.endDialog({ outcome: 'declined' } satisfies QuickCsatResult); // nothing to offer; never block the task's end
    (step.values as { questionId?: string }).questionId = definition.questions[0].id;
    return step.beginDialog(EASE_PROMPT, { surveyId: definition.id, question: definition.questions[0], position: 1, total: 1, offerDecline: true });
  }

  /** Saves the score with the reference, and thanks the client. */
  private async saveStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as QuickCsatDialogOptions;
    const outcome = step.result as SurveyQuestionOutcome;
    if (outcome.status === 'rerouted') return step.endDialog({ outcome: 'rerouted' } satisfies QuickCsatDialogResult);
    if (outcome.status === 'skipped') {
      await step.context.sendActivity(this.t(step, 'survey.csatDeclined'));
      return step.endDialog({ outcome: 'declined' } satisfies QuickCsatResult);
    }
    if (outcome.status === 'unanswered' || typeof outcome.value !== 'number') {
      await step.context.sendActivity(this.t(step, 'survey.csatUnanswered'));
      return step.endDialog({ outcome: 'unanswered' } satisfies QuickCsatResult);
    }
    const respondentKey = options.respondentKey ?? await respondentKeyOfTurn(step.context, this.csatDeps.customers);
    const responseSurveyId = options.responseSurveyId ?? QUICK_CSAT_SURVEY_ID;
    const questionId = (step.values as { questionId: string }).questionId;
    const activity = step.context.activity;
    await this.csatDeps.responses.saveAnswer(responseSurveyId, respondentKey, questionId, outcome.value, {
      ...options.meta, context: options.context, reference: options.reference ?? '', channelId: activity.channelId, userId: activity.from.id, language: turnLanguage(step.context),
    });
    await this.csatDeps.responses.complete(responseSurveyId, respondentKey);
    await step.context.sendActivity(this.t(step, 'survey.csatThanks', { score: outcome.value }));
    const result: QuickCsatResult = { outcome: 'answered', score: outcome.value };
    const campaignId = typeof options.meta?.campaignId === 'string' ? options.meta.campaignId : undefined;
    const followThrough: FollowThroughOptions = {
      source: {
        channelId: activity.channelId, userId: activity.from.id, surveyId: QUICK_CSAT_SURVEY_ID,
        ...(options.respondentKey ? { customerId: options.respondentKey } : {}), ...(campaignId ? { campaignId } : {}),
      },
      questions: [{ id: questionId, type: 'rating' }],
      answers: { [questionId]: outcome.value },
    };
    return followThroughThenEnd<QuickCsatResult>(step, result, followThrough, { defer: options.deferFollowThrough, dialogAvailable: Boolean(this.csatDeps.followThrough) });
  }


}

/** What a QuickCsatDialog returns: its result, or how an interruption ended it. */
export type QuickCsatDialogResult = QuickCsatResult | InterruptedOutcome;
