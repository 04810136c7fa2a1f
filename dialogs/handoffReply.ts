import { MessageFactory, type Activity } from 'botbuilder';
import type { Language, Localizer } from '../services/i18n/localizer';
import type { HandoffRequestResult } from '../services/handoff/handoffRequester';
import { formatDateTime } from '../services/i18n/formatters';

/**
 * What the client is told after asking for a person: their place in the queue and the
 * estimated wait, or a callback offer (a button that routes to the callback booking) when
 * staff are off duty or the wait is too long; a requester that only records gets the
 * "request logged" text.
 */
export function handoffReplyActivity(localizer: Localizer, language: Language, result: HandoffRequestResult, timeZone: string): Partial<Activity> {
  if (result.offerCallback) {
    const key = result.offerCallback === 'outside_hours' ? 'handoff.offerCallbackOutsideHours' : 'handoff.offerCallbackLongWait';
    const text = localizer.t(language, key, { minutes: result.estimatedWaitMinutes ?? 0 });
    return MessageFactory.suggestedActions([localizer.t(language, 'handoff.callbackChoice')], text);
  }
  if (result.queued && result.position === 0) return MessageFactory.text(localizer.t(language, 'handoff.alreadyWithStaff'));
  if (result.queued && result.position !== undefined) {
    return MessageFactory.text(localizer.t(language, 'handoff.queued', { position: result.position, minutes: result.estimatedWaitMinutes ?? 0 }));
  }
  return MessageFactory.text(localizer.t(language, 'common.handoffRequested', { time: formatDateTime(result.requestedAt, language, timeZone) }));
}
