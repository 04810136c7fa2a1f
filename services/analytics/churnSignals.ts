/**
 * Decorators that turn repository writes into churn-risk signals, so dialogs and services stay
 * as they are: each wraps a repository (every method passes through untouched) and, after a
 * write that changes a client's risk succeeded, tells `notify` who it was about. `notify` must
 * not throw or wait (ChurnRiskService.notify schedules a debounced recomputation).
 */
import type { Ticket, TicketRepository } from '../tickets/ticketRepository';
import type { CallbackDeskRepository, CallbackRepository } from '../callbacks/callbackRepository';
import type { SurveyResponseRepository } from '../surveys/surveyResponseRepository';
import type { SignalSubject } from './churnRiskService';

type Notify = (subject: SignalSubject) => void;

/** A proxy of `target` whose listed methods are replaced; the others are the target's own, bound to it. */
function decorate<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(t, prop) {
      if (Object.prototype.hasOwnProperty.call(overrides, prop)) return (overrides as Record<PropertyKey, unknown>)[prop];
      const value = Reflect.get(t, prop, t);
      return typeof value === 'function' ? value.bind(t) : value;
    },
  });
}

function safely(notify: Notify, subject: SignalSubject): void {
  try {
    notify(subject);
  } catch {
    // A signal is never worth failing the write that caused it.
  }
}

/** Filing a complaint and every status change staff make (resolved, reopened...) are signals. */
export function withTicketSignals<T extends TicketRepository>(tickets: T, notify: Notify): T {
  const about = (ticket: Ticket): SignalSubject => (ticket.customerId ? { customerId: ticket.customerId } : { channelId: ticket.channelId, userId: ticket.userId });
  return decorate(tickets, {
    create: async (...args: Parameters<TicketRepository['create']>) => {
      const ticket = await tickets.create(...args);
      safely(notify, about(ticket));
      return ticket;
    },
    transition: async (...args: Parameters<TicketRepository['transition']>) => {
      const ticket = await tickets.transition(...args);
      if (ticket) safely(notify, about(ticket));
      return ticket;
    },
  } as Partial<T>);
}

/**
 * Booking, cancelling and a recorded outcome (done or missed) are signals; one nobody worked is
 * seen by the missed-callback sweep.
 */
export function withCallbackSignals<T extends CallbackRepository & CallbackDeskRepository>(callbacks: T, notify: Notify): T {
  return decorate(callbacks, {
    book: async (...args: Parameters<CallbackRepository['book']>) => {
      const outcome = await callbacks.book(...args);
      if (outcome.booked) safely(notify, { channelId: outcome.callback.channelId, userId: outcome.callback.userId });
      return outcome;
    },
    cancel: async (...args: Parameters<CallbackRepository['cancel']>) => {
      const cancelled = await callbacks.cancel(...args);
      if (cancelled) safely(notify, { channelId: cancelled.channelId, userId: cancelled.userId });
      return cancelled;
    },
    recordOutcome: async (...args: Parameters<CallbackDeskRepository['recordOutcome']>) => {
      const worked = await callbacks.recordOutcome(...args);
      if (worked) safely(notify, worked.customerId ? { customerId: worked.customerId } : { channelId: worked.channelId, userId: worked.userId });
      return worked;
    },
  } as Partial<T>);
}

/** A score answer (a number: CSAT or NPS) is a signal; text and choices are not. */
export function withSurveySignals<T extends SurveyResponseRepository>(responses: T, notify: Notify): T {
  return decorate(responses, {
    saveAnswer: async (...args: Parameters<SurveyResponseRepository['saveAnswer']>) => {
      await responses.saveAnswer(...args);
      if (typeof args[3] === 'number') safely(notify, { respondentKey: args[1] });
    },
  } as Partial<T>);
}
