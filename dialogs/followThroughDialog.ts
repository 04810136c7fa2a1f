import { ActivityTypes, type TurnContext } from 'botbuilder';
import { WaterfallDialog, type Dialog, type DialogContext, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { SERVICE_DESK, type FollowUpService, type PoorScoreSource } from '../services/followups/followUpService';
import type { Language, Localizer } from '../services/i18n/localizer';
import type { SurveyQuestion } from '../services/surveys/surveyDefinition';
import { respondentKeyFor, type SurveyAnswerValue } from '../services/surveys/surveyResponseRepository';
import type { CustomerRepository } from '../services/customers/customerRepository';
import { CALLBACK_BOOKING_DIALOG, yesOrNo, type CallbackBookingOptions, type CallbackBookingResult } from './callbackBookingDialog';
import { InterruptibleDialog, isRerouted, type InterruptedOutcome, type InterruptionDependencies } from './interruptibleDialog';
import { KeyedTextPrompt, type PromptSpec } from './keyedTextPrompt';
import { turnLanguage } from './turnLanguage';

export const FOLLOW_THROUGH_DIALOG = 'followThroughDialog';
const WATERFALL = 'followThroughDialog.waterfall';
const OFFER_PROMPT = 'followThroughDialog.offer';
/** Unclear answers to the offer before it is taken as a no (the client is never held on it). */
const MAX_OFFER_ATTEMPTS = 3;

/** The answers a survey (or the quick CSAT) just saved, and whose they are. */
export interface FollowThroughOptions {
  source: PoorScoreSource;
  questions: Array<Pick<SurveyQuestion, 'id' | 'type'>>;
  answers: Record<string, SurveyAnswerValue>;
  /** false: open the task only, without offering a callback (the client has moved on to something else). */
  offerCallback?: boolean;
}

/** Nothing to follow up; or the task is open and the client booked a callback or not. */
export type FollowThroughResult =
  | { outcome: 'none' }
  | { outcome: 'task_only'; taskId: string }
  | { outcome: 'callback_booked'; taskId: string; reference: string }
  | { outcome: 'declined'; taskId: string }
  | InterruptedOutcome;

/** What the follow-through needs besides the interruption handling. */
export interface FollowThroughDialogDependencies extends InterruptionDependencies {
  followUps: Pick<FollowUpService, 'openForAnswers' | 'recordCallback'>;
  /** The callback booking dialog (a child here, so the booking runs inside the follow-through). */
  callbackBooking: Dialog;
}

/**
 * The last answering step of a survey or the quick CSAT: ends with `result` when there is nothing
 * to follow through; hands it back with the follow-through for the caller to run when deferred;
 * else keeps it and runs the follow-through here (or skips it when this stack has no such
 * dialog), after which {@link endWithKeptResult} ends with it.
 */
export async function followThroughThenEnd<R extends object>(
  step: WaterfallStepContext, result: R, followThrough: FollowThroughOptions | undefined, options: { defer?: boolean; dialogAvailable: boolean },
): Promise<DialogTurnResult> {
  if (!followThrough) return step.endDialog(result);
  if (options.defer) return step.endDialog({ ...result, followThrough });
  (step.values as { result?: R }).result = result;
  if (!options.dialogAvailable) return step.next();
  return step.beginDialog(FOLLOW_THROUGH_DIALOG, followThrough);
}

/**
 * The waterfall step after {@link followThroughThenEnd}: the kept result, whatever the
 * follow-through did, unless the client left it with a new request (the answer is saved already).
 */
export async function endWithKeptResult(step: WaterfallStepContext): Promise<DialogTurnResult> {
  if (isRerouted(step.result)) return step.endDialog({ outcome: 'rerouted' } satisfies InterruptedOutcome);
  return step.endDialog((step.values as { result?: object }).result);
}

/** Whose answers these are: the linked customer, else the chat user (see respondentKeyFor). */
export async function respondentKeyOfTurn(context: TurnContext, customers?: Pick<CustomerRepository, 'findByChannelUser'>): Promise<string> {
  const { channelId, from } = context.activity;
  const customer = await customers?.findByChannelUser(channelId, from.id);
  return respondentKeyFor(channelId, from.id, customer?.id);
}

interface FollowThroughState {
  taskId?: string;
}

/**
 * After a survey or the quick CSAT: a poor score (NPS detractor, CSAT 1-2) opens a follow-up
 * task for the client's relationship manager (the rule is in FollowUpService), and the client
 * is offered a callback; yes starts the callback booking with the topic filled in and the
 * booking's reference goes on the task; the client is thanked either way. Without a poor
 * score it ends at once, silently.
 */
export class FollowThroughDialog extends InterruptibleDialog {
  constructor(private readonly followDeps: FollowThroughDialogDependencies) {
    super(FOLLOW_THROUGH_DIALOG, followDeps, 'campaign.followUpHelp');
    if (!followDeps.followUps || !followDeps.callbackBooking) throw new Error(`${FOLLOW_THROUGH_DIALOG} needs the follow-up service and the callback booking dialog`);
    const { localizer, timeZone } = followDeps;
    this.addDialog(new KeyedTextPrompt(OFFER_PROMPT, localizer, timeZone, async (pc) =>
      offerAnswer(pc.recognized.value ?? '', localizer, turnLanguage(pc.context)) !== undefined || pc.attemptCount >= MAX_OFFER_ATTEMPTS));
    this.addDialog(followDeps.callbackBooking);
    this.addDialog(new WaterfallDialog(WATERFALL, [this.openTaskStep.bind(this), this.answerStep.bind(this), this.bookedStep.bind(this)]));
    this.initialDialogId = WATERFALL;
  }

  /**
   * "不用了" / "no thanks" answer the offer here; they are not a cancel of the whole task. During
   * the booking, the booking dialog answers help, cancel and a person itself (with its own help).
   */
  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    const activity = innerDc.context.activity;
    if (innerDc.activeDialog?.id === CALLBACK_BOOKING_DIALOG) return innerDc.continueDialog();
    if (innerDc.activeDialog?.id === OFFER_PROMPT && activity.type === ActivityTypes.Message
      && offerAnswer(activity.text ?? '', this.deps.localizer, turnLanguage(innerDc.context)) !== undefined) {
      return innerDc.continueDialog();
    }
    return super.onContinueDialog(innerDc);
  }

  /** A client asking for the call the offer is about is answering it ("please call me back" is a yes, above). */
  protected override readonly ownIntents: readonly string[] = ['callback_book'];

  /** The callback offer answered with something that is neither yes nor no. */
  protected override awaitsClosedAnswerNotGiven(innerDc: DialogContext): boolean {
    const text = innerDc.context.activity.text ?? '';
    return innerDc.activeDialog?.id === OFFER_PROMPT && text.trim() !== '' && offerAnswer(text, this.deps.localizer, turnLanguage(innerDc.context)) === undefined;
  }

  /** Opens the task for a poor score (or ends, when there is none) and offers a callback. */
  private async openTaskStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { source, questions, answers, offerCallback } = step.options as FollowThroughOptions;
    const task = await this.followDeps.followUps.openForAnswers(source, questions, answers);
    if (!task) return step.endDialog({ outcome: 'none' } satisfies FollowThroughResult);
    if (offerCallback === false) return step.endDialog({ outcome: 'task_only', taskId: task.id } satisfies FollowThroughResult);
    (step.values as FollowThroughState).taskId = task.id;
    const spec: PromptSpec = {
      key: task.assignee === SERVICE_DESK ? 'campaign.followUpOfferDesk' : 'campaign.followUpOfferManager',
      retryKey: 'campaign.followUpRetry',
      buttons: [{ titleKey: 'campaign.followUpYes' }, { titleKey: 'campaign.followUpNo' }],
    };
    return step.prompt(OFFER_PROMPT, { validations: spec });
  }

  /** Yes: the callback booking, topic filled in. No (or no clear answer): thanks. */
  private async answerStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { taskId } = step.values as Required<FollowThroughState>;
    const { source } = step.options as FollowThroughOptions;
    if (offerAnswer(String(step.result ?? ''), this.deps.localizer, turnLanguage(step.context)) !== true) {
      await step.context.sendActivity(this.t(step, 'campaign.followUpThanksDeclined'));
      return step.endDialog({ outcome: 'declined', taskId } satisfies FollowThroughResult);
    }
    return step.beginDialog(CALLBACK_BOOKING_DIALOG, {
      topic: this.t(step, 'campaign.callbackTopic'), ...(source.customerId ? { customerId: source.customerId } : {}),
    } satisfies CallbackBookingOptions);
  }

  /** A booked callback goes on the task; thanks either way. */
  private async bookedStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { taskId } = step.values as Required<FollowThroughState>;
    const booking = step.result as CallbackBookingResult | undefined;
    // Booked now, or already booked at that very time: either way the task gets the callback.
    if (booking && (('kind' in booking && booking.outcome === 'completed') || booking.outcome === 'already_booked')) {
      await this.followDeps.followUps.recordCallback(taskId, booking.reference);
      await step.context.sendActivity(this.t(step, 'campaign.followUpThanksBooked'));
      return step.endDialog({ outcome: 'callback_booked', taskId, reference: booking.reference } satisfies FollowThroughResult);
    }
    if (booking?.outcome === 'handoff') return step.endDialog(booking); // the client is on their way to a person: no more from the bot
    if (isRerouted(booking)) return step.endDialog(booking); // the client asked something else: the task stays open for the manager
    await step.context.sendActivity(this.t(step, 'campaign.followUpThanksDeclined'));
    return step.endDialog({ outcome: 'declined', taskId } satisfies FollowThroughResult);
  }
}

/** The client's answer to the callback offer: a button label or a yes/no word, in either language; undefined when unclear. */
export function offerAnswer(text: string, localizer: Localizer, language: Language): boolean | undefined {
  const normalized = text.normalize('NFKC').trim().toLowerCase().replace(/[\p{P}\s]+$/u, '');
  if (!normalized) return undefined;
  // "好的，请给我回电" / "yes, please call me back": asking for the call is a yes.
  const bare = normalized.replace(/^(?:好的|好|是的|是|yes|ok|okay|sure)[\p{P}\s]*/u, '').replace(/[\p{P}\s]+/gu, ' ').trim();
  for (const lang of [language, language === 'en' ? 'zh-CN' : 'en'] as const) {
    if (localizer.t(lang, 'campaign.followUpYes').toLowerCase() === normalized) return true;
    if (localizer.list(lang, 'campaign.followUpYesWords').some((w) => w.toLowerCase() === bare)) return true;
    if (localizer.t(lang, 'campaign.followUpNo').toLowerCase().replace(/[\p{P}\s]+$/u, '') === normalized) return false;
    if (localizer.list(lang, 'campaign.followUpNoWords').some((w) => w.toLowerCase() === normalized)) return false;
  }
  return yesOrNo(normalized, localizer, language);
}
