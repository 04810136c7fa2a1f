import { WaterfallDialog, type DateTimeResolution, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { Callback } from '../services/callbacks/callbackRepository';
import { findReference } from '../services/tickets/referenceGenerator';
import { formatDateTime } from '../services/i18n/formatters';
import { InterruptibleDialog, type InterruptedOutcome } from './interruptibleDialog';
import { KeyedTextPrompt, type PromptSpec } from './keyedTextPrompt';
import { CallbackTimePrompt, acceptedSlot, callbackSlotValidator, offerAlternatives, rejectionKey } from './callbackTimePrompt';
import { topicKey, yesOrNo, type CallbackDialogDependencies } from './callbackBookingDialog';
import { turnLanguage } from './turnLanguage';
import { choiceOrdinal } from '../services/i18n/numerals';

export const CALLBACK_MANAGE_DIALOG = 'callbackManageDialog';
const WATERFALL = 'callbackManageDialog.waterfall';
const PICK_PROMPT = 'callbackManageDialog.pick';
const TIME_PROMPT = 'callbackManageDialog.time';
const CONFIRM_PROMPT = 'callbackManageDialog.confirm';

/** Options in: what the client wants to do, and the reference if they quoted one. */
export interface CallbackManageOptions {
  action: 'list' | 'reschedule' | 'cancel';
  reference?: string;
}

/** Result out. */
export type CallbackManageResult =
  | { outcome: 'completed'; kind: 'callbackList'; count: number }
  | { outcome: 'completed'; kind: 'callbackRescheduled' | 'callbackCancelled'; reference: string }
  | { outcome: 'not_found' }
  | { outcome: 'declined' }
  | InterruptedOutcome;

interface ManageState extends CallbackManageOptions {
  /** References of the client's upcoming bookings when they had to choose. */
  choices?: string[];
}

/**
 * Lists, moves and cancels the client's own callbacks. A reference that is not theirs is
 * answered exactly like one that does not exist, so references can't be probed.
 */
export class CallbackManageDialog extends InterruptibleDialog {
  constructor(private readonly callbackDeps: CallbackDialogDependencies) {
    super(CALLBACK_MANAGE_DIALOG, callbackDeps, 'callback.manageHelp');
    if (!callbackDeps.callbacks) throw new Error(`${CALLBACK_MANAGE_DIALOG} needs the callback service`);
    const { localizer, timeZone, callbacks } = callbackDeps;
    this.addDialog(new KeyedTextPrompt(PICK_PROMPT, localizer, timeZone, async (pc) =>
      pickedReference(pc.recognized.value ?? '', (pc.options as { choices?: string[] }).choices ?? []) !== undefined));
    this.addDialog(new CallbackTimePrompt(TIME_PROMPT, localizer, timeZone, () => callbacks.currentTime(), callbackSlotValidator({ localizer, callbacks, timeZone })));
    this.addDialog(new KeyedTextPrompt(CONFIRM_PROMPT, localizer, timeZone, async (pc) => yesOrNo(pc.recognized.value ?? '', localizer, turnLanguage(pc.context)) !== undefined));
    this.addDialog(new WaterfallDialog(WATERFALL, [
      this.pickStep.bind(this),
      this.actionStep.bind(this),
      this.finishStep.bind(this),
    ]));
    this.initialDialogId = WATERFALL;
  }

  private state(step: WaterfallStepContext): ManageState {
    return step.options as ManageState;
  }

  /** Lists (and ends), or settles which booking the client means. */
  private async pickStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.state(step);
    const { channelId, from } = step.context.activity;
    const reference = state.reference ? findReference(state.reference, 'CBK') ?? state.reference : undefined;
    if (state.action !== 'list' && reference) return step.next(reference);
    const bookings = await this.callbackDeps.callbacks.listForUser(channelId, from.id);
    if (bookings.length === 0) {
      await step.context.sendActivity(this.t(step, 'callback.listNone'));
      return step.endDialog(state.action === 'list' ? { outcome: 'completed', kind: 'callbackList', count: 0 } : { outcome: 'not_found' } satisfies CallbackManageResult);
    }
    if (state.action === 'list') {
      await step.context.sendActivity([this.t(step, 'callback.listHeader'), ...bookings.map((b) => this.describe(step, b))].join('\n'));
      return step.endDialog({ outcome: 'completed', kind: 'callbackList', count: bookings.length } satisfies CallbackManageResult);
    }
    if (bookings.length === 1) return step.next(bookings[0].reference);
    state.choices = bookings.map((b) => b.reference);
    const spec: PromptSpec = {
      key: 'callback.pickPrompt', retryKey: 'callback.pickRetry',
      params: { list: bookings.map((b, i) => `${i + 1}. ${this.describe(step, b)}`).join('\n') },
      buttons: bookings.map((b) => ({ title: b.reference, value: b.reference })),
    };
    return step.prompt(PICK_PROMPT, { validations: spec, choices: state.choices } as never);
  }

  /** Asks for the new time, or confirms the cancellation. */
  private async actionStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.state(step);
    const answer = String(step.result);
    const reference = pickedReference(answer, state.choices ?? []) ?? findReference(answer, 'CBK') ?? answer.trim().toUpperCase();
    const { channelId, from } = step.context.activity;
    const booking = await this.callbackDeps.callbacks.findForUser(reference, channelId, from.id);
    if (!booking) {
      await step.context.sendActivity(this.t(step, 'callback.notFound', { reference }));
      return step.endDialog({ outcome: 'not_found' } satisfies CallbackManageResult);
    }
    state.reference = booking.reference;
    const times = { time: booking.slotStart.toISOString() };
    if (state.action === 'reschedule') {
      return step.prompt(TIME_PROMPT, { validations: { key: 'callback.rescheduleTimePrompt', params: { reference: booking.reference }, times } satisfies PromptSpec });
    }
    const spec: PromptSpec = {
      key: 'callback.cancelConfirmPrompt', retryKey: 'callback.cancelConfirmRetry', params: { reference: booking.reference }, times,
      buttons: [{ titleKey: 'common.yes' }, { titleKey: 'common.no' }],
    };
    return step.prompt(CONFIRM_PROMPT, { validations: spec });
  }

  private async finishStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const state = this.state(step);
    const reference = state.reference!;
    const { channelId, from } = step.context.activity;
    const language = turnLanguage(step.context);
    const callbacks = this.callbackDeps.callbacks;
    if (state.action === 'reschedule') {
      const newStart = acceptedSlot(step.result as DateTimeResolution[], this.deps.timeZone);
      const moved = await callbacks.reschedule(reference, channelId, from.id, newStart);
      if (!moved.moved) {
        if (moved.reason === 'not_found') {
          await step.context.sendActivity(this.t(step, 'callback.notFound', { reference }));
          return step.endDialog({ outcome: 'not_found' } satisfies CallbackManageResult);
        }
        // The seat went in the meantime: offer others and ask again for this booking.
        await offerAlternatives(step.context, this.callbackDeps, newStart, moved.reason === 'full' ? 'callback.slotTakenMeanwhile' : rejectionKey(moved.reason));
        return step.replaceDialog(WATERFALL, { action: 'reschedule', reference } satisfies CallbackManageOptions);
      }
      await step.context.sendActivity(this.t(step, 'callback.rescheduled', {
        reference, time: formatDateTime(moved.callback.slotStart, language, this.deps.timeZone), lead: callbacks.reminderLeadMinutes,
      }));
      return step.endDialog({ outcome: 'completed', kind: 'callbackRescheduled', reference } satisfies CallbackManageResult);
    }
    if (!yesOrNo(String(step.result), this.deps.localizer, language)) {
      await step.context.sendActivity(this.t(step, 'callback.cancelKept', { reference }));
      return step.endDialog({ outcome: 'declined' } satisfies CallbackManageResult);
    }
    const cancelled = await callbacks.cancel(reference, channelId, from.id);
    if (!cancelled) {
      await step.context.sendActivity(this.t(step, 'callback.notFound', { reference }));
      return step.endDialog({ outcome: 'not_found' } satisfies CallbackManageResult);
    }
    await step.context.sendActivity(this.t(step, 'callback.callbackCancelled', { reference, time: formatDateTime(cancelled.slotStart, language, this.deps.timeZone) }));
    return step.endDialog({ outcome: 'completed', kind: 'callbackCancelled', reference } satisfies CallbackManageResult);
  }

  private describe(step: WaterfallStepContext, booking: Callback): string {
    const language = turnLanguage(step.context);
    const topic = this.deps.localizer.has(language, topicKey(booking.topic)) ? this.t(step, topicKey(booking.topic)) : booking.topic;
    return this.t(step, 'callback.listItem', {
      reference: booking.reference, time: formatDateTime(booking.slotStart, language, this.deps.timeZone), topic, phone: booking.phone,
    });
  }
}

/** The booking a reply picks from the listed ones: by its reference, or by its place in the list ("2", "第二个", "the second one"). */
function pickedReference(text: string, choices: readonly string[]): string | undefined {
  const reference = findReference(text, 'CBK');
  if (reference) return choices.includes(reference) ? reference : undefined;
  const position = choiceOrdinal(text.normalize('NFKC').trim().toLowerCase().replace(/[\p{P}]+$/u, ''));
  return position !== undefined ? choices[position - 1] : undefined;
}
