import { WaterfallDialog, type DateTimeResolution, type DialogContext, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { CallbackService } from '../services/callbacks/callbackService';
import type { PhoneLinker } from '../services/customers/customerLinker';
import { findPhone } from '../services/contact/contactValidator';
import { formatDateTime } from '../services/i18n/formatters';
import type { Language } from '../services/i18n/localizer';
import { InterruptibleDialog, type InterruptedOutcome, type InterruptionDependencies } from './interruptibleDialog';
import { KeyedTextPrompt, type PromptSpec } from './keyedTextPrompt';
import { CallbackTimePrompt, acceptedSlot, bookableSlotIn, asksForAnotherTime, callbackSlotValidator, offerAlternatives, rejectionKey, requestedTimesOfTurn } from './callbackTimePrompt';
import { turnLanguage } from './turnLanguage';

export const CALLBACK_BOOKING_DIALOG = 'callbackBookingDialog';
const WATERFALL = 'callbackBookingDialog.waterfall';
const TOPIC_PROMPT = 'callbackBookingDialog.topic';
const TIME_PROMPT = 'callbackBookingDialog.time';
const PHONE_PROMPT = 'callbackBookingDialog.phone';
const CONFIRM_PROMPT = 'callbackBookingDialog.confirm';

const MAX_TOPIC_LENGTH = 200;

/** Topics offered as buttons; a client may also type their own. */
export const CALLBACK_TOPICS = ['loan_consultation', 'project_financing', 'repayment', 'online_banking', 'complaint_follow_up', 'other'] as const;

/** What the callback dialogs need besides the interruption handling. */
export interface CallbackDialogDependencies extends InterruptionDependencies {
  callbacks: CallbackService;
  /** Links the chat user to the one customer holding the phone they gave (optional). */
  customerLinker?: PhoneLinker;
}

/** Options in: anything the router already knows (e.g. the topic from the intent). */
export interface CallbackBookingOptions {
  topic?: string;
  customerId?: string;
  /**
   * The message that asked for the callback ("明天下午三点回电，聊一下还款"): a topic named by its
   * button label and a bookable time in it are taken, so they are not asked again (the summary shows them).
   */
  opening?: string;
}

/** Result out. */
export type CallbackBookingResult =
  | { outcome: 'completed'; kind: 'callback'; reference: string }
  | { outcome: 'declined' }
  | { outcome: 'already_booked'; reference: string }
  | InterruptedOutcome;

/** Carried through the waterfall and across a restart of it when a slot goes while confirming. */
interface BookingDraft extends CallbackBookingOptions {
  phone?: string;
  slot?: string;
}

/**
 * Books a callback from the client's relationship manager: topic, date and time (validated
 * against business hours, holidays and capacity, with the nearest free slots offered),
 * phone number, confirmation, then the booking with its CBK reference.
 */
export class CallbackBookingDialog extends InterruptibleDialog {
  constructor(private readonly callbackDeps: CallbackDialogDependencies) {
    super(CALLBACK_BOOKING_DIALOG, callbackDeps, 'callback.help');
    if (!callbackDeps.callbacks) throw new Error(`${CALLBACK_BOOKING_DIALOG} needs the callback service`);
    const { localizer, timeZone, callbacks } = callbackDeps;
    // A topic is a few words for the manager, not a letter: the store caps it too.
    this.addDialog(new KeyedTextPrompt(TOPIC_PROMPT, localizer, timeZone, async (pc) => {
      const length = (pc.recognized.value ?? '').trim().length;
      return length >= 2 && length <= MAX_TOPIC_LENGTH;
    }));
    this.addDialog(new CallbackTimePrompt(TIME_PROMPT, localizer, timeZone, () => callbacks.currentTime(), callbackSlotValidator({ localizer, callbacks, timeZone })));
    this.addDialog(new KeyedTextPrompt(PHONE_PROMPT, localizer, timeZone, async (pc) => {
      if (findPhone(pc.recognized.value ?? '')) return true;
      await pc.context.sendActivity(localizer.t(turnLanguage(pc.context), 'callback.phoneRetry', { text: (pc.recognized.value ?? '').trim() }));
      return false;
    }));
    this.addDialog(new KeyedTextPrompt(CONFIRM_PROMPT, localizer, timeZone, async (pc) => yesOrNo(pc.recognized.value ?? '', localizer, turnLanguage(pc.context)) !== undefined));
    this.addDialog(new WaterfallDialog(WATERFALL, [
      this.topicStep.bind(this),
      this.dateTimeStep.bind(this),
      this.phoneStep.bind(this),
      this.confirmStep.bind(this),
      this.bookStep.bind(this),
    ]));
    this.initialDialogId = WATERFALL;
  }

  protected override async onBeginDialog(innerDc: DialogContext, options?: CallbackBookingOptions): Promise<DialogTurnResult> {
    const { opening: _opening, ...draft }: BookingDraft = { ...options };
    if (options?.opening) {
      const language = turnLanguage(innerDc.context);
      draft.topic ??= topicNamedIn(options.opening, this.callbackDeps);
      const { channelId, from } = innerDc.context.activity;
      const slot = await bookableSlotIn(options.opening, language, this.callbackDeps.callbacks, this.deps.timeZone, { channelId, userId: from.id });
      if (slot) draft.slot = slot.toISOString();
    }
    return innerDc.beginDialog(WATERFALL, draft);
  }

  /**
   * Callbacks are this dialog's task: "call me asap", "换个时间" or "cancel the callback" while
   * booking one are about this booking (re-asked), not a new request that would drop it.
   */
  protected override readonly ownIntents: readonly string[] = ['callback_book', 'callback_reschedule', 'callback_cancel'];

  /** A time, phone number or yes/no asked for, answered with none of them (the topic takes any text). */
  protected override awaitsClosedAnswerNotGiven(innerDc: DialogContext): boolean {
    const text = innerDc.context.activity.text ?? '';
    if (!text.trim()) return false;
    const language = turnLanguage(innerDc.context);
    switch (innerDc.activeDialog?.id) {
      case TIME_PROMPT: return requestedTimesOfTurn(innerDc.context, this.callbackDeps.callbacks.currentTime(), this.deps.timeZone).length === 0
        && !asksForAnotherTime(text, this.deps.localizer, language);
      case PHONE_PROMPT: return !findPhone(text);
      case CONFIRM_PROMPT: return yesOrNo(text, this.deps.localizer, language) === undefined;
      default: return false;
    }
  }

  private draft(step: WaterfallStepContext): BookingDraft {
    return step.options as BookingDraft;
  }

  private async topicStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (this.draft(step).topic) return step.next(this.draft(step).topic);
    const spec: PromptSpec = {
      key: 'callback.topicPrompt', retryKey: 'callback.topicRetry',
      buttons: CALLBACK_TOPICS.map((topic) => ({ titleKey: `callback.topic_${topic}` })),
    };
    return step.prompt(TOPIC_PROMPT, { validations: spec });
  }

  private async dateTimeStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const draft = this.draft(step);
    draft.topic = topicCode(String(step.result).trim(), this.callbackDeps);
    if (draft.slot) return step.next(); // a bookable time came with the request
    return step.prompt(TIME_PROMPT, { validations: { key: 'callback.dateTimePrompt' } satisfies PromptSpec });
  }

  private async phoneStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const draft = this.draft(step);
    if (step.result) draft.slot = acceptedSlot(step.result as DateTimeResolution[], this.deps.timeZone).toISOString();
    if (draft.phone) return step.next(draft.phone);
    return step.prompt(PHONE_PROMPT, { validations: { key: 'callback.phonePrompt' } satisfies PromptSpec });
  }

  private async confirmStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const draft = this.draft(step);
    draft.phone = findPhone(String(step.result))!.value;
    const { activity } = step.context;
    const linked = await this.callbackDeps.customerLinker?.linkByPhone({ channelId: activity.channelId, userId: activity.from.id }, draft.phone);
    draft.customerId ??= linked?.id;
    const spec: PromptSpec = {
      key: 'callback.confirmPrompt', retryKey: 'callback.confirmRetry',
      times: { time: draft.slot! },
      // A topic code is shown by its label in the turn's language; a free-text topic as the client wrote it.
      ...(isTopicCode(draft.topic!)
        ? { params: { phone: draft.phone }, keys: { topic: topicKey(draft.topic!) } }
        : { params: { phone: draft.phone, topic: draft.topic! } }),
      buttons: [{ titleKey: 'common.yes' }, { titleKey: 'common.no' }],
    };
    return step.prompt(CONFIRM_PROMPT, { validations: spec });
  }

  private async bookStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const draft = this.draft(step);
    const language = turnLanguage(step.context);
    if (!yesOrNo(String(step.result), this.deps.localizer, language)) {
      await step.context.sendActivity(this.t(step, 'callback.notBooked'));
      return step.endDialog({ outcome: 'declined' } satisfies CallbackBookingResult);
    }
    const activity = step.context.activity;
    const slotStart = new Date(draft.slot!);
    const result = await this.callbackDeps.callbacks.book({
      channelId: activity.channelId, userId: activity.from.id, conversationId: activity.conversation.id,
      customerId: draft.customerId, language, topic: draft.topic!, phone: draft.phone!, slotStart,
    });
    if (!result.booked && result.reason === 'already_booked') {
      // Booked at that very time meanwhile (another conversation of the same client): nothing more to do.
      await step.context.sendActivity(this.t(step, 'callback.alreadyBookedAt', {
        reference: result.existing.reference, time: formatDateTime(result.existing.slotStart, language, this.deps.timeZone),
      }));
      return step.endDialog({ outcome: 'already_booked', reference: result.existing.reference } satisfies CallbackBookingResult);
    }
    if (!result.booked) {
      // The seat went (or the time passed) while the client was confirming: same topic and phone, pick a new time.
      await offerAlternatives(step.context, this.callbackDeps, slotStart, result.reason === 'full' ? 'callback.slotTakenMeanwhile' : rejectionKey(result.reason));
      return step.replaceDialog(WATERFALL, { topic: draft.topic, customerId: draft.customerId, phone: draft.phone } satisfies BookingDraft);
    }
    const { callback } = result;
    await step.context.sendActivity(this.t(step, 'callback.booked', {
      reference: callback.reference, phone: callback.phone, lead: this.callbackDeps.callbacks.reminderLeadMinutes,
      time: formatDateTime(callback.slotStart, language, this.deps.timeZone), topic: this.topicLabel(step, callback.topic),
    }));
    return step.endDialog({ outcome: 'completed', kind: 'callback', reference: callback.reference } satisfies CallbackBookingResult);
  }

  private topicLabel(step: WaterfallStepContext, topic: string): string {
    return this.deps.localizer.has(turnLanguage(step.context), topicKey(topic)) ? this.t(step, topicKey(topic)) : topic;
  }
}

/** The resource key of a topic code (free-text topics have none). */
export function topicKey(topic: string): string {
  return `callback.topic_${topic}`;
}

function isTopicCode(topic: string): boolean {
  return (CALLBACK_TOPICS as readonly string[]).includes(topic);
}

/** The one topic (besides "other") whose button label, in either language, the text contains; else undefined. */
function topicNamedIn(text: string, deps: CallbackDialogDependencies): string | undefined {
  const lower = text.normalize('NFKC').toLowerCase();
  const named = CALLBACK_TOPICS.filter((topic) => topic !== 'other' && (['zh-CN', 'en'] as const)
    .some((language) => lower.includes(deps.localizer.t(language, topicKey(topic)).normalize('NFKC').toLowerCase())));
  return named.length === 1 ? named[0] : undefined;
}

/** A button label in either language maps to its code; anything else is the client's own words. */
function topicCode(text: string, deps: CallbackDialogDependencies): string {
  for (const topic of CALLBACK_TOPICS) {
    for (const language of ['zh-CN', 'en'] as const) {
      if (deps.localizer.t(language, topicKey(topic)).toLowerCase() === text.toLowerCase()) return topic;
    }
  }
  return text;
}

/** Yes / no in the turn's language, or in the other one (clients mix). Undefined when neither. */
export function yesOrNo(text: string, localizer: InterruptionDependencies['localizer'], language: Language): boolean | undefined {
  const normalized = text.normalize('NFKC').trim().toLowerCase().replace(/[\p{P}\s]+$/u, '');
  for (const lang of [language, language === 'en' ? 'zh-CN' : 'en'] as const) {
    if (localizer.list(lang, 'callback.yesWords').includes(normalized)) return true;
    if (localizer.list(lang, 'callback.noWords').includes(normalized)) return false;
  }
  return undefined;
}
