import { ActivityTypes, type TurnContext } from 'botbuilder';
import { Dialog, type DialogContext, type DialogInstance, type DialogTurnResult } from 'botbuilder-dialogs';
import type { Localizer } from '../services/i18n/localizer';
import type { AnswerParser, ParsedAnswer } from '../services/surveys/answerParser';
import type { SurveyQuestion } from '../services/surveys/surveyDefinition';
import type { SurveyAnswerValue } from '../services/surveys/surveyResponseRepository';
import { DEFAULT_CARD_CHANNELS, readSurveyCardSubmit, surveyQuestionCard } from './cards/surveyQuestionCard';
import { turnLanguage } from './turnLanguage';

/** Asks one survey question. */
export interface SurveyQuestionPromptOptions {
  surveyId: string;
  question: SurveyQuestion;
  position: number;
  total: number;
  /** Show "No thanks" instead of "Skip" (the offered quick CSAT). */
  offerDecline?: boolean;
}

/**
 * How the question ended: an answer, skipped by the client, no valid answer after the re-asks, or
 * a typed new request instead of an answer (`rerouted`, nothing saved); the caller says what happens next.
 */
export type SurveyQuestionOutcome =
  | { status: 'answered'; value: Exclude<SurveyAnswerValue, null> }
  | { status: 'skipped' }
  | { status: 'unanswered' }
  | { status: 'rerouted' };

/** What the prompt needs. */
export interface SurveyQuestionPromptDependencies {
  localizer: Localizer;
  parser: AnswerParser;
  /** Channels that show Adaptive Cards (default: Teams, Web Chat, Direct Line, Emulator). */
  cardChannels?: readonly string[];
  /** How many times an invalid answer is re-asked before moving on (default 2). */
  maxReasks?: number;
  /** Whether this turn's message is a new request (the recognition says so); a typed non-answer that is one ends the question as `rerouted`. */
  isNewRequest?: (context: TurnContext) => boolean;
}

/** What the prompt did with a card's submit this turn; Teams answers the clicked card with an updated one from it. */
export interface SurveyCardSubmitResult {
  /** answered / skipped / unanswered (re-asks used up) close the question; reasked keeps it open; stale: the card was for another question. */
  outcome: 'answered' | 'skipped' | 'unanswered' | 'reasked' | 'stale';
  /** The question the card asked (not known for a stale card). */
  question?: SurveyQuestion;
}

const CARD_SUBMIT_RESULT = Symbol('rapport.surveyCardSubmitResult');

/** The {@link SurveyCardSubmitResult} of this turn, when a survey card submit reached an active survey question. */
export function surveyCardSubmitResult(context: TurnContext): SurveyCardSubmitResult | undefined {
  return context.turnState.get(CARD_SUBMIT_RESULT) as SurveyCardSubmitResult | undefined;
}

interface PromptState {
  options: SurveyQuestionPromptOptions;
  invalidAnswers: number;
}

/**
 * A prompt for one survey question: renders it as a card or text, accepts a card submit or a
 * typed answer in either language, re-asks an invalid answer with the reason and the hint at
 * most `maxReasks` times, then gives up on the question rather than trap the client in a loop.
 * A re-prompt (after help or a language switch) shows the question again in the turn's language.
 */
export class SurveyQuestionPrompt extends Dialog<SurveyQuestionPromptOptions> {
  private readonly cardChannels: readonly string[];
  private readonly maxReasks: number;

  constructor(id: string, private readonly deps: SurveyQuestionPromptDependencies) {
    super(id);
    if (!deps?.localizer || !deps.parser) throw new Error(`${id} needs a localizer and an answer parser`);
    this.cardChannels = deps.cardChannels ?? DEFAULT_CARD_CHANNELS;
    this.maxReasks = deps.maxReasks ?? 2;
  }

  override async beginDialog(dc: DialogContext, options?: SurveyQuestionPromptOptions): Promise<DialogTurnResult> {
    if (!options?.question || !options.surveyId) throw new Error(`${this.id} needs a survey id and a question`);
    const state: PromptState = { options, invalidAnswers: 0 };
    dc.activeDialog!.state = state;
    await this.ask(dc.context, options);
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const activity = dc.context.activity;
    if (activity.type !== ActivityTypes.Message) return Dialog.EndOfTurn;
    const state = dc.activeDialog!.state as PromptState;
    const { question } = state.options;
    const submit = readSurveyCardSubmit(activity.value);
    const record = (outcome: SurveyCardSubmitResult['outcome']) => {
      if (submit) dc.context.turnState.set(CARD_SUBMIT_RESULT, { outcome, question: outcome === 'stale' ? undefined : question } satisfies SurveyCardSubmitResult);
    };

    if (submit && (submit.questionId !== question.id || (submit.surveyId !== undefined && submit.surveyId !== state.options.surveyId))) {
      // A button on an earlier card: not an answer to this question, and not the client's mistake.
      record('stale');
      await dc.context.sendActivity(this.t(dc.context, 'survey.staleCard'));
      await this.ask(dc.context, state.options);
      return Dialog.EndOfTurn;
    }
    if (submit?.skip || (!submit && this.deps.parser.isSkip(activity.text))) {
      if (!question.required || state.options.offerDecline) {
        record('skipped');
        return dc.endDialog({ status: 'skipped' } satisfies SurveyQuestionOutcome);
      }
      record('reasked');
      await dc.context.sendActivity(this.t(dc.context, 'survey.requiredNoSkip'));
      await this.ask(dc.context, state.options);
      return Dialog.EndOfTurn;
    }

    const parsed = this.deps.parser.parse(question, submit ? submit.answer : activity.text);
    if (parsed.ok) {
      record('answered');
      return dc.endDialog({ status: 'answered', value: parsed.value } satisfies SurveyQuestionOutcome);
    }

    // A typed non-answer to a closed question that is a request of its own: let it be routed rather than re-ask.
    if (!submit && question.type !== 'text' && !this.deps.parser.triedToAnswer(question, activity.text ?? '', parsed) && this.deps.isNewRequest?.(dc.context)) {
      return dc.endDialog({ status: 'rerouted' } satisfies SurveyQuestionOutcome);
    }
    state.invalidAnswers += 1;
    if (state.invalidAnswers > this.maxReasks) {
      record('unanswered');
      return dc.endDialog({ status: 'unanswered' } satisfies SurveyQuestionOutcome);
    }
    record('reasked');
    await dc.context.sendActivity(this.problem(dc.context, parsed));
    await this.ask(dc.context, state.options);
    return Dialog.EndOfTurn;
  }

  override async repromptDialog(context: TurnContext, instance: DialogInstance): Promise<void> {
    await this.ask(context, (instance.state as PromptState).options);
  }

  private async ask(context: TurnContext, options: SurveyQuestionPromptOptions): Promise<void> {
    await context.sendActivity(surveyQuestionCard(this.deps.localizer, context.activity.channelId, {
      ...options, language: turnLanguage(context), cardChannels: this.cardChannels,
    }));
  }

  private problem(context: TurnContext, parsed: Extract<ParsedAnswer, { ok: false }>): string {
    const params: Record<string, string | number> = {};
    if (parsed.min !== undefined) params.min = parsed.min;
    if (parsed.max !== undefined) params.max = parsed.max;
    params.unknown = parsed.unknown ?? '';
    return this.t(context, `survey.invalid_${parsed.reason}`, params);
  }

  private t(context: TurnContext, key: string, params?: Record<string, string | number>): string {
    return this.deps.localizer.t(turnLanguage(context), key, params);
  }
}
