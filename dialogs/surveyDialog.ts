import { WaterfallDialog, type Dialog, type DialogContext, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { InterruptibleDialog, type InterruptedOutcome, type InterruptionDependencies } from './interruptibleDialog';
import { SurveyQuestionPrompt, type SurveyQuestionOutcome } from './surveyQuestionPrompt';
import { turnLanguage } from './turnLanguage';
import { FOLLOW_THROUGH_DIALOG, endWithKeptResult, followThroughThenEnd, respondentKeyOfTurn, type FollowThroughOptions } from './followThroughDialog';
import type { BilingualText } from '../services/campaigns/campaign';
import type { AnswerParser } from '../services/surveys/answerParser';
import type { CustomerRepository } from '../services/customers/customerRepository';
import type { SurveyDefinition } from '../services/surveys/surveyDefinition';
import type { SurveyDefinitionRepository } from '../services/surveys/surveyDefinitionRepository';
import { type SurveyAnswerValue, type SurveyResponseMeta, type SurveyResponseRepository } from '../services/surveys/surveyResponseRepository';

export const SURVEY_DIALOG = 'surveyDialog';
const SURVEY_WATERFALL = 'surveyDialog.main';
const QUESTION_LOOP = 'surveyDialog.questionLoop';
const QUESTION_PROMPT = 'surveyDialog.questionPrompt';

/** Starts a survey for the client of this conversation. */
export interface SurveyDialogOptions {
  surveyId: string;
  /** Who answers: a customer id when the caller knows it; else looked up or `${channelId}:${userId}`. */
  respondentKey?: string;
  /** Where the response is stored (default: the survey id), e.g. one per campaign: `campaign:<id>`. */
  responseSurveyId?: string;
  /** Stored with the response (e.g. `{ campaignId }`). */
  meta?: SurveyResponseMeta;
  /** Replaces the survey's intro (a campaign's own words). */
  intro?: BilingualText;
  /** The caller runs the follow-through itself (after recording the answer): the result carries its options instead. */
  deferFollowThrough?: boolean;
  /**
   * End the survey at the first question the client leaves unanswered (its re-asks used up) instead
   * of moving on: for a survey the client did not ask for (a campaign), someone who answers with
   * something else is let go after one question rather than walked through them all.
   */
  letGoOnUnanswered?: boolean;
}

/** How a survey ended: every required question answered, some left unanswered, or the client let go (`letGoOnUnanswered`). */
export interface SurveyResult {
  outcome: 'completed' | 'partial' | 'let_go';
  surveyId: string;
  answers: Record<string, SurveyAnswerValue>;
  /** With `deferFollowThrough`: what to start the follow-through dialog with. */
  followThrough?: FollowThroughOptions;
}

/** What the survey dialog needs besides the interruption dependencies. */
export interface SurveyDialogDependencies extends InterruptionDependencies {
  definitions: SurveyDefinitionRepository;
  responses: SurveyResponseRepository;
  parser: AnswerParser;
  /** When given, a known customer answers under their customer id (one response across channels). */
  customers?: CustomerRepository;
  /** Channels that show Adaptive Cards (default: Teams, Web Chat, Direct Line, Emulator). */
  cardChannels?: readonly string[];
  /** When given, a poor score is followed through (a task, and a callback offered) after the thanks. */
  followThrough?: Dialog;
}

interface LoopState {
  definition: SurveyDefinition;
  respondentKey: string;
  index: number;
  responseSurveyId: string;
  meta: SurveyResponseMeta;
  letGoOnUnanswered?: boolean;
}

/**
 * Runs a survey from its definition, one question at a time. Every answer is saved the moment
 * it is given, so a client who leaves comes back to the first question they have not answered;
 * a client who already completed the survey answers it again and updates the same response.
 */
export class SurveyDialog extends InterruptibleDialog {
  constructor(private readonly surveyDeps: SurveyDialogDependencies) {
    super(SURVEY_DIALOG, surveyDeps, 'survey.help');
    if (!surveyDeps.definitions || !surveyDeps.responses || !surveyDeps.parser) throw new Error(`${SURVEY_DIALOG} needs definitions, responses and a parser`);
    this.addDialog(new SurveyQuestionPrompt(QUESTION_PROMPT, {
      localizer: surveyDeps.localizer, parser: surveyDeps.parser, cardChannels: surveyDeps.cardChannels, isNewRequest: surveyDeps.isNewRequest,
    }));
    this.addDialog(new WaterfallDialog(QUESTION_LOOP, [this.askQuestionStep.bind(this), this.saveAnswerStep.bind(this)]));
    if (surveyDeps.followThrough) this.addDialog(surveyDeps.followThrough);
    this.addDialog(new WaterfallDialog(SURVEY_WATERFALL, [this.introStep.bind(this), this.thanksStep.bind(this), endWithKeptResult]));
    this.initialDialogId = SURVEY_WATERFALL;
  }

  /** The follow-through offer answers its own yes/no and interruptions ("不用了" there is a no, not a cancel). */
  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    if (innerDc.activeDialog?.id === FOLLOW_THROUGH_DIALOG) return innerDc.continueDialog();
    return super.onContinueDialog(innerDc);
  }

  /** Loads the survey and the answers so far, greets (or welcomes back), and starts at the first open question. */
  private async introStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as SurveyDialogOptions;
    if (!options?.surveyId) throw new Error(`${SURVEY_DIALOG} needs a surveyId`);
    const definition = await this.surveyDeps.definitions.get(options.surveyId);
    if (!definition) {
      await step.context.sendActivity(this.t(step, 'survey.unavailable'));
      return step.endDialog({ outcome: 'partial', surveyId: options.surveyId, answers: {} } satisfies SurveyResult);
    }
    const respondentKey = options.respondentKey ?? await respondentKeyOfTurn(step.context, this.surveyDeps.customers);
    (step.values as { respondentKey?: string }).respondentKey = respondentKey;
    const responseSurveyId = options.responseSurveyId ?? definition.id;
    const meta = options.meta ?? {};
    const letGoOnUnanswered = options.letGoOnUnanswered ? true : undefined;
    const existing = await this.surveyDeps.responses.get(responseSurveyId, respondentKey);
    const language = turnLanguage(step.context);
    const intro = this.t(step, 'survey.introFormat', { title: definition.title[language], intro: (options.intro ?? definition.intro)[language] });

    if (existing?.status === 'completed') {
      await step.context.sendActivities([{ type: 'message', text: intro }, { type: 'message', text: this.t(step, 'survey.retake') }]);
      return step.beginDialog(QUESTION_LOOP, { definition, respondentKey, index: 0, responseSurveyId, meta, letGoOnUnanswered } satisfies LoopState);
    }
    const index = definition.questions.findIndex((q) => !(q.id in (existing?.answers ?? {})));
    if (index === -1) return step.next(); // everything answered; only the thanks was missed
    if (index > 0) {
      await step.context.sendActivity(this.t(step, 'survey.resumed', { position: index + 1, total: definition.questions.length }));
    } else {
      await step.context.sendActivity(intro);
    }
    return step.beginDialog(QUESTION_LOOP, { definition, respondentKey, index, responseSurveyId, meta, letGoOnUnanswered } satisfies LoopState);
  }

  /** Asks the current question (card or text, by channel). */
  private async askQuestionStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { definition, index } = step.options as LoopState;
    return step.beginDialog(QUESTION_PROMPT, {
      surveyId: definition.id, question: definition.questions[index], position: index + 1, total: definition.questions.length,
    });
  }

  /** Saves the answer at once (a skipped or unanswerable question as null), then asks the next one. */
  private async saveAnswerStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = step.options as LoopState;
    const outcome = step.result as SurveyQuestionOutcome;
    // The client asked something else: nothing is saved for this question, so the survey resumes at it next time.
    if (outcome.status === 'rerouted') return step.endDialog({ rerouted: true });
    const question = state.definition.questions[state.index];
    const activity = step.context.activity;
    await this.surveyDeps.responses.saveAnswer(state.responseSurveyId, state.respondentKey, question.id, outcome.status === 'answered' ? outcome.value : null, {
      ...state.meta, channelId: activity.channelId, userId: activity.from.id, language: turnLanguage(step.context), surveyVersion: state.definition.version,
    });
    const next = state.index + 1;
    if (outcome.status === 'unanswered' && state.letGoOnUnanswered) {
      await step.context.sendActivity(this.t(step, 'survey.letGo'));
      return step.endDialog({ letGo: true });
    }
    if (outcome.status === 'unanswered') await step.context.sendActivity(this.t(step, 'survey.movingOn'));
    if (next < state.definition.questions.length) return step.replaceDialog(QUESTION_LOOP, { ...state, index: next } satisfies LoopState);
    return step.endDialog();
  }

  /** Marks the response completed, thanks the client, and follows a poor score through. */
  private async thanksStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as SurveyDialogOptions;
    const { surveyId } = options;
    const responseSurveyId = options.responseSurveyId ?? surveyId;
    const respondentKey = (step.values as { respondentKey: string }).respondentKey;
    const definition = await this.surveyDeps.definitions.get(surveyId);
    const { channelId, from } = step.context.activity;
    const campaignId = typeof options.meta?.campaignId === 'string' ? options.meta.campaignId : undefined;
    const followThroughOf = (answers: SurveyResult['answers']): FollowThroughOptions | undefined => (definition ? {
      source: { channelId, userId: from.id, surveyId, ...(options.respondentKey ? { customerId: options.respondentKey } : {}), ...(campaignId ? { campaignId } : {}) },
      questions: definition.questions.map((q) => ({ id: q.id, type: q.type })),
      answers,
    } : undefined);
    if ((step.result as { rerouted?: boolean } | undefined)?.rerouted) {
      // The client asked something else: a poor score given so far still reaches the manager (no callback offer, they are busy with their request).
      const answers = (await this.surveyDeps.responses.get(responseSurveyId, respondentKey))?.answers ?? {};
      const followThrough = followThroughOf(answers);
      const quiet = followThrough ? { ...followThrough, offerCallback: false } : undefined;
      const rerouted = { outcome: 'rerouted' } as const;
      return followThroughThenEnd(step, rerouted, quiet, { defer: options.deferFollowThrough, dialogAvailable: Boolean(this.surveyDeps.followThrough) });
    }
    if ((step.result as { letGo?: boolean } | undefined)?.letGo) {
      // The client moved on: a poor score given so far still reaches the manager, without a callback offer.
      const answers = (await this.surveyDeps.responses.get(responseSurveyId, respondentKey))?.answers ?? {};
      const followThrough = followThroughOf(answers);
      return step.endDialog({ outcome: 'let_go', surveyId, answers, ...(followThrough ? { followThrough: { ...followThrough, offerCallback: false } } : {}) } satisfies SurveyResult);
    }
    await this.surveyDeps.responses.complete(responseSurveyId, respondentKey);
    const answers = (await this.surveyDeps.responses.get(responseSurveyId, respondentKey))?.answers ?? {};
    const complete = (definition?.questions ?? []).every((q) => !q.required || (answers[q.id] !== null && answers[q.id] !== undefined));
    await step.context.sendActivity(this.t(step, complete ? 'survey.thanks' : 'survey.thanksPartial'));
    const result: SurveyResult = { outcome: complete ? 'completed' : 'partial', surveyId, answers };
    const followThrough = followThroughOf(answers);
    return followThroughThenEnd<SurveyResult>(step, result, followThrough, { defer: options.deferFollowThrough, dialogAvailable: Boolean(this.surveyDeps.followThrough) });
  }


}

/** What a SurveyDialog returns: its result, or how an interruption ended it. */
export type SurveyDialogResult = SurveyResult | InterruptedOutcome | { outcome: 'rerouted'; followThrough?: FollowThroughOptions };
