import type { TurnContext } from 'botbuilder';
import * as Recognizers from '@microsoft/recognizers-text-date-time';
import { DateTimePrompt, type DateTimeResolution, type PromptOptions, type PromptRecognizerResult, type PromptValidator } from 'botbuilder-dialogs';
import type { Language, Localizer } from '../services/i18n/localizer';
import { hasInvalidCalendarDate, hasInvalidClockTime, parseSlotValue, resolveRequestedTime, slotValue, wallClockReference } from '../services/callbacks/requestedTime';
import type { CallbackService, SlotRejection } from '../services/callbacks/callbackService';
import { formatDate, formatDateTime } from '../services/i18n/formatters';
import { renderPrompt, type PromptSpec } from './keyedTextPrompt';
import { turnLanguage } from './turnLanguage';

/**
 * botbuilder's DateTimePrompt, made to read the client's date and time the way the business
 * means it: in the turn's culture (zh-cn or en-us, which follows a language switch, unlike
 * the activity's locale), relative to the business clock in the business zone (so
 * "明天下午三点" is tomorrow in Shanghai, and tests can fix "now"), with slot buttons
 * ("2026-12-01 15:00") read exactly and impossible clock times ("25:00") refused.
 */
export class CallbackTimePrompt extends DateTimePrompt {
  constructor(
    dialogId: string,
    private readonly localizer: Localizer,
    private readonly timeZone: string,
    private readonly now: () => Date,
    validator?: PromptValidator<DateTimeResolution[]>,
  ) {
    super(dialogId, validator, 'zh-cn');
  }

  protected override async onPrompt(context: TurnContext, state: any, options: PromptOptions, isRetry: boolean): Promise<void> {
    const spec = options.validations as PromptSpec | undefined;
    if (!spec?.key) return super.onPrompt(context, state, options, isRetry);
    await context.sendActivity(renderPrompt(context, this.localizer, this.timeZone, spec, isRetry));
  }

  protected override async onRecognize(context: TurnContext): Promise<PromptRecognizerResult<DateTimeResolution[]>> {
    const values = requestedTimesOfTurn(context, this.now(), this.timeZone);
    return values.length > 0 ? { succeeded: true, value: values } : { succeeded: false };
  }
}

const TURN_TIMES = Symbol('rapport.requestedTimesOfTurn');

/**
 * The dates and times this turn's message names, read once per turn: the recognizers cost 1.5-6 ms
 * a message, and both the booking's check for a new request and the time prompt read them.
 */
export function requestedTimesOfTurn(context: TurnContext, now: Date, timeZone: string): DateTimeResolution[] {
  let times = context.turnState.get(TURN_TIMES) as DateTimeResolution[] | undefined;
  if (!times) {
    times = recognizeRequestedTimes(context.activity.text ?? '', turnLanguage(context), now, timeZone);
    context.turnState.set(TURN_TIMES, times);
  }
  return times;
}

/** The dates and times a text names, read as the time prompt reads them (slot buttons exactly, impossible clock times refused). */
export function recognizeRequestedTimes(input: string, language: Language, now: Date, timeZone: string): DateTimeResolution[] {
  const text = input.trim();
  if (!text || hasInvalidClockTime(text) || hasInvalidCalendarDate(text)) return [];
  const button = parseSlotValue(text, timeZone);
  if (button) return [{ type: 'datetime', timex: '', value: `${slotValue(button, timeZone)}:00` }];
  const culture = language === 'en' ? 'en-us' : 'zh-cn';
  const results = Recognizers.recognizeDateTime(text, culture, undefined, wallClockReference(now, timeZone));
  return mergeDateAndTime(results.map((r) => (r.resolution?.values ?? []) as DateTimeResolution[]));
}

/**
 * The slot a text asks for when the client can book it as it stands (a time off the half hour is
 * rounded to the slot, as the prompt does); undefined when it names no time, only a day, a slot
 * that can't be had or one the client already holds (the time question then asks, and explains).
 */
export async function bookableSlotIn(
  text: string, language: Language, callbacks: CallbackService, timeZone: string, client: { channelId: string; userId: string },
): Promise<Date | undefined> {
  const now = callbacks.currentTime();
  const values = recognizeRequestedTimes(text, language, now, timeZone);
  if (values.length === 0) return undefined;
  const requested = resolveRequestedTime(values, timeZone, now, (i) => callbacks.isBookableTime(i));
  if (!requested || requested.kind !== 'instant') return undefined;
  const { check } = await checkSlotRounded(callbacks, requested.start);
  if (!check.ok || await callbacks.bookedByUserAt(client.channelId, client.userId, check.start)) return undefined;
  return check.start;
}

/** Checks a slot; a time off the slot boundary is checked again rounded to its slot. */
async function checkSlotRounded(callbacks: CallbackService, start: Date): Promise<{ check: Awaited<ReturnType<CallbackService['checkSlot']>>; rounded: boolean }> {
  const check = await callbacks.checkSlot(start);
  if (!check.ok && check.reason === 'not_on_slot_boundary' && check.rounded) return { check: await callbacks.checkSlot(check.rounded), rounded: true };
  return { check, rounded: false };
}

/** "明天 下午3点" can come back as a date and a time apart: put them together. */
function mergeDateAndTime(groups: DateTimeResolution[][]): DateTimeResolution[] {
  if (groups.length === 0) return [];
  const [first, ...rest] = groups;
  const dateOnly = first.length > 0 && first.every((v) => /^\d{4}-\d{2}-\d{2}$/.test(v.value ?? ''));
  const times = rest.flat().filter((v) => /^\d{2}:\d{2}:\d{2}$/.test(v.value ?? ''));
  if (dateOnly && times.length > 0) return times.map((t) => ({ type: 'datetime', timex: `${first[0].timex}${t.timex}`, value: `${first[0].value} ${t.value}` }));
  return first;
}

/** What the slot validator needs. */
export interface CallbackSlotValidatorDependencies {
  localizer: Localizer;
  callbacks: CallbackService;
  timeZone: string;
}

/**
 * Accepts an answer only when it names a bookable slot; otherwise says why (past, outside
 * hours, not a business day, full, impossible time) and offers the nearest free slots as
 * buttons plus "another time". On success the resolutions are narrowed to the one slot taken.
 */
export function callbackSlotValidator(deps: CallbackSlotValidatorDependencies): PromptValidator<DateTimeResolution[]> {
  const { localizer, callbacks, timeZone } = deps;
  return async (pc) => {
    const context = pc.context;
    const language = turnLanguage(context);
    const say = (spec: PromptSpec) => context.sendActivity(renderPrompt(context, localizer, timeZone, spec));
    const text = context.activity.text?.trim() ?? '';
    if (!pc.recognized.succeeded || !pc.recognized.value) {
      if (asksForAnotherTime(text, localizer, language)) await say({ key: 'callback.askAnotherTime' });
      else if (hasInvalidClockTime(text)) await say({ key: 'callback.invalidClock', params: { text } });
      else if (hasInvalidCalendarDate(text)) await say({ key: 'callback.invalidDate', params: { text } });
      else await say({ key: 'callback.dateTimeRetry' });
      return false;
    }
    const now = callbacks.currentTime();
    const requested = resolveRequestedTime(pc.recognized.value, timeZone, now, (i) => callbacks.isBookableTime(i));
    if (!requested) {
      await say({ key: 'callback.dateTimeRetry' });
      return false;
    }
    if (requested.kind === 'day') {
      const day = callbacks.checkDay(requested.day);
      if (day !== 'ok') {
        await offerAlternatives(context, deps, requested.day, day === 'past' ? 'callback.dayPast' : rejectionKey(day));
        return false;
      }
      const free = await callbacks.firstFreeSlotsOn(requested.day);
      await context.sendActivity(renderPrompt(context, localizer, timeZone, {
        key: 'callback.askTimeOnDay', params: { date: formatDate(requested.day, language, timeZone), slots: slotList(free, localizer, language, timeZone) }, buttons: slotButtons(free, timeZone),
      }));
      return false;
    }
    const { check, rounded } = await checkSlotRounded(callbacks, requested.start);
    if (check.ok && rounded) await say({ key: 'callback.roundedToSlot', times: { time: check.start.toISOString() } });
    if (check.ok) {
      const { channelId, from } = context.activity;
      const mine = await callbacks.bookedByUserAt(channelId, from.id, check.start);
      if (mine) {
        await say({ key: 'callback.alreadyBookedAt', params: { reference: mine.reference }, times: { time: mine.slotStart.toISOString() } });
        const free = await callbacks.nearestFreeSlots(check.start, 3);
        if (free.length > 0) await say({ key: 'callback.alternatives', params: { slots: slotList(free, localizer, language, timeZone) }, buttons: slotButtons(free, timeZone) });
        return false;
      }
      pc.recognized.value = [{ type: 'datetime', timex: '', value: `${slotValue(check.start, timeZone)}:00` }];
      return true;
    }
    await offerAlternatives(context, deps, requested.start, rejectionKey(check.reason));
    return false;
  };
}

/** "其他时间" / "Another time": the button that asks for other slots, typed or tapped. */
export function asksForAnotherTime(text: string, localizer: Localizer, language: Language): boolean {
  const wanted = text.trim().toLowerCase();
  return localizer.list(language, 'callback.anotherTimeWords').some((w) => w.toLowerCase() === wanted);
}

/** Says why a slot can't be had and offers the nearest free ones (also used when a seat goes between confirm and book). */
export async function offerAlternatives(context: TurnContext, deps: CallbackSlotValidatorDependencies, around: Date, reasonKey: string): Promise<void> {
  const { localizer, callbacks, timeZone } = deps;
  const language = turnLanguage(context);
  await context.sendActivity(renderPrompt(context, localizer, timeZone, {
    key: reasonKey, times: { time: around.toISOString() }, params: { date: formatDate(around, language, timeZone) },
  }));
  const free = await callbacks.nearestFreeSlots(around, 3);
  await context.sendActivity(renderPrompt(context, localizer, timeZone, free.length === 0
    ? { key: 'callback.noAlternatives' }
    : { key: 'callback.alternatives', params: { slots: slotList(free, localizer, language, timeZone) }, buttons: slotButtons(free, timeZone) }));
}

/** The slot a validated answer names. */
export function acceptedSlot(result: DateTimeResolution[], timeZone: string): Date {
  const slot = parseSlotValue((result[0]?.value ?? '').slice(0, 16), timeZone);
  if (!slot) throw new Error('callback time prompt ended without a validated slot');
  return slot;
}

/** The slots in the text too: Teams and plain-text channels show no suggested actions. */
function slotList(free: Date[], localizer: Localizer, language: Language, timeZone: string): string {
  return free.map((slot) => formatDateTime(slot, language, timeZone)).join(localizer.t(language, 'callback.slotSeparator'));
}

function slotButtons(free: Date[], timeZone: string): PromptSpec['buttons'] {
  return [
    ...free.map((slot) => ({ time: slot.toISOString(), value: slotValue(slot, timeZone) })),
    { titleKey: 'callback.anotherTime' },
  ];
}

/** The resource key that explains a rejection. */
export function rejectionKey(reason: SlotRejection | 'already_booked'): string {
  switch (reason) {
    case 'already_booked': return 'callback.slotYours';
    case 'past': return 'callback.slotPast';
    case 'holiday': return 'callback.slotHoliday';
    case 'full': return 'callback.slotFull';
    default: return 'callback.slotOutsideHours';
  }
}
