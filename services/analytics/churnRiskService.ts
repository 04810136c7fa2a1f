/**
 * Keeps each client's churn-risk score current: gathers the signals from the repositories,
 * scores them (churnRisk.ts) and stores the result on the customer. Recomputation is triggered
 * by the signal decorators (churnSignals.ts) and the tone observer, debounced per customer, and
 * never fails or slows a client's turn: it runs after the turn's writes, errors are logged.
 */
import type { ChurnRisk, Customer, CustomerRepository, CustomerUpdate } from '../customers/customerRepository';
import type { TicketRepository } from '../tickets/ticketRepository';
import type { CallbackAnalyticsQueries } from '../callbacks/callbackRepository';
import { respondentKeyFor, type SurveyResponseAnalyticsQueries } from '../surveys/surveyResponseRepository';
import type { ConversationRepository } from '../../models/conversations/conversationRepository';
import type { NegativeToneEventRepository } from './negativeToneEvents';
import { computeChurnRisk, DEFAULT_CALLBACK_GRACE_MINUTES, SATISFACTION_WINDOW_DAYS, TONE_WINDOW_DAYS } from './churnRisk';
import { satisfactionOf, type SurveyDefinitionResolver } from './surveyQuestions';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Chat users whose last counted plain message is remembered (oldest forgotten first). */
const PLAIN_CONTACT_MEMORY = 50_000;

/** Who a signal is about: a customer id, a chat user, or a survey respondent key (either of those). */
export type SignalSubject = { customerId: string } | { channelId: string; userId: string } | { respondentKey: string };

export interface ChurnRiskServiceOptions {
  customers: Pick<CustomerRepository, 'get' | 'findByChannelUser'> & { update(customerId: string, fields: CustomerUpdate, at?: Date): Promise<unknown> };
  tickets: Pick<TicketRepository, 'listOpenForUser'>;
  callbacks: Pick<CallbackAnalyticsQueries, 'listForUser' | 'listBySlotBetween'>;
  surveyResponses: Pick<SurveyResponseAnalyticsQueries, 'listByRespondent'>;
  conversations: Pick<ConversationRepository, 'findByUser'>;
  toneEvents: NegativeToneEventRepository;
  surveys: SurveyDefinitionResolver;
  /** Length of a callback slot. */
  callbackSlotMinutes: number;
  /** A callback nobody worked is missed this long after its slot ended (default {@link DEFAULT_CALLBACK_GRACE_MINUTES}). */
  callbackGraceMinutes?: number;
  /** Signals for one customer within this window make one recomputation (default 2 s). */
  debounceMs?: number;
  /** Recomputations running at once, across customers (default 2); the others wait in line. */
  maxConcurrent?: number;
  /** A plain contact (a message) recomputes at most this often per customer (default 1 h). */
  contactIntervalMs?: number;
  onError: (error: unknown, what: string) => void;
  now?: () => Date;
}

export class ChurnRiskService {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly lastContactRecompute = new Map<string, number>();
  private readonly lastPlainContact = new Map<string, number>();
  private readonly now: () => Date;
  private stopped = false;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly queued = new Set<string>();
  private active = 0;
  private sweptUntil: Date | undefined;
  private readonly graceMinutes: number;

  constructor(private readonly options: ChurnRiskServiceOptions) {
    for (const key of ['customers', 'tickets', 'callbacks', 'surveyResponses', 'conversations', 'toneEvents', 'surveys', 'onError'] as const) {
      if (!options?.[key]) throw new Error(`ChurnRiskService needs ${key}`);
    }
    this.now = options.now ?? (() => new Date());
    this.graceMinutes = options.callbackGraceMinutes ?? DEFAULT_CALLBACK_GRACE_MINUTES;
  }

  /** Gathers the customer's signals now, scores them and stores the score; undefined for an unknown customer. */
  async recompute(customerId: string, now = this.now()): Promise<ChurnRisk | undefined> {
    const customer = await this.options.customers.get(customerId);
    if (!customer) return undefined;
    const users = customer.channelUsers ?? [];
    const respondentKeys = [customer.id, ...users.map((u) => respondentKeyFor(u.channelId, u.userId))];
    const since = (days: number) => new Date(now.getTime() - days * DAY_MS);
    const [responses, tickets, callbacks, conversations, negativeMessages] = await Promise.all([
      Promise.all(respondentKeys.map((key) => this.options.surveyResponses.listByRespondent(key, since(SATISFACTION_WINDOW_DAYS)))),
      Promise.all(users.map((u) => this.options.tickets.listOpenForUser(u.channelId, u.userId))),
      Promise.all(users.map((u) => this.options.callbacks.listForUser(u.channelId, u.userId))),
      Promise.all(users.map((u) => this.options.conversations.findByUser(u.channelId, u.userId))),
      this.options.toneEvents.listSince(customer.id, since(TONE_WINDOW_DAYS)),
    ]);
    const satisfaction = [];
    for (const record of responses.flat()) satisfaction.push(...satisfactionOf(record, await this.options.surveys.definitionFor(record.surveyId)));
    const complaints = uniqueBy(tickets.flat(), (t) => t.reference);
    const scored = computeChurnRisk({
      now,
      satisfaction,
      complaints: complaints.map((t) => ({ reference: t.reference, status: t.status, slaDueAt: t.slaDueAt })),
      negativeMessages,
      contacts: conversations.flat().map((c) => c.createdAt),
      callbacks: uniqueBy(callbacks.flat(), (c) => c.reference).map((c) => ({ reference: c.reference, status: c.status, slotStart: c.slotStart })),
      callbackSlotMinutes: this.options.callbackSlotMinutes,
      callbackGraceMinutes: this.graceMinutes,
    });
    const churnRisk: ChurnRisk = { ...scored, computedAt: now };
    await this.options.customers.update(customer.id, { churnRisk }, now);
    return churnRisk;
  }

  /** A new signal about someone: recomputes their score shortly (debounced), off the caller's path. */
  notify(subject: SignalSubject): void {
    if (this.stopped) return;
    this.track(this.customerOf(subject).then((customer) => { if (customer) this.schedule(customer.id); }), 'churn signal');
  }

  /** A scored client message: a negative one is recorded (linked customers only) and recomputes; a plain one counts as a contact. */
  observeTone(message: { channelId: string; userId: string; conversationId: string; score: number; negative: boolean; at: Date }): void {
    if (this.stopped) return;
    const contactInterval = this.options.contactIntervalMs ?? 60 * 60 * 1000;
    // A plain message only matters as a contact, at most once per interval: the chat user's own
    // clock decides before any lookup, so a client chatting along costs no query per message.
    if (!message.negative && !this.plainContactDue(`${message.channelId}\u0000${message.userId}`, message.at.getTime(), contactInterval)) return;
    this.track(this.customerOf({ channelId: message.channelId, userId: message.userId }).then(async (customer) => {
      if (!customer) return;
      if (message.negative) {
        await this.options.toneEvents.record({ customerId: customer.id, channelId: message.channelId, conversationId: message.conversationId, score: message.score, at: message.at });
        this.schedule(customer.id);
        return;
      }
      const last = this.lastContactRecompute.get(customer.id) ?? 0;
      if (message.at.getTime() - last < contactInterval) return;
      this.lastContactRecompute.set(customer.id, message.at.getTime());
      this.schedule(customer.id);
    }), 'tone signal');
  }

  /**
   * A callback nobody worked becomes missed silently (the grace after its slot runs out while it is
   * still booked), so no write signals it: every `intervalMs` the clients whose callbacks reached
   * that point since the last sweep are recomputed. (Outcomes staff record are signalled by the
   * repository decorator.) Several processes may sweep: a recomputation is idempotent.
   */
  startMissedCallbackSweep(intervalMs = 15 * 60_000): void {
    if (this.sweepTimer || this.stopped) return;
    this.sweptUntil = this.now();
    this.sweepTimer = setInterval(() => this.track(this.sweepMissedCallbacks(), 'missed callback sweep'), intervalMs);
    this.sweepTimer.unref();
  }

  /** Signals the clients of callbacks whose slot and grace ended in (last sweep, now] and that are still booked. */
  async sweepMissedCallbacks(now = this.now()): Promise<number> {
    const slotMs = (this.options.callbackSlotMinutes + this.graceMinutes) * 60_000;
    const since = this.sweptUntil ?? new Date(now.getTime() - 60 * 60_000);
    this.sweptUntil = now;
    // A slot whose grace ended in (since, now] started in (since - slot - grace, now - slot - grace].
    const ended = await this.options.callbacks.listBySlotBetween(new Date(since.getTime() - slotMs + 1), new Date(now.getTime() - slotMs + 1));
    const missed = ended.filter((c) => c.status === 'booked');
    for (const callback of missed) this.notify(callback.customerId ? { customerId: callback.customerId } : { channelId: callback.channelId, userId: callback.userId });
    return missed.length;
  }

  /** Waits for the recomputations already scheduled or running (tests, shutdown). */
  async flush(): Promise<void> {
    const due = [...this.timers.keys()];
    for (const id of due) { clearTimeout(this.timers.get(id)); this.timers.delete(id); }
    due.forEach((id) => this.enqueue(id));
    while (this.running.size || this.queued.size) await Promise.allSettled([...this.running]);
  }

  /** Stops taking signals and finishes what was scheduled. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    await this.flush();
  }

  /** True (and remembered) when this chat user's last plain message counted longer ago than the interval; at most 50,000 users are remembered. */
  private plainContactDue(userKey: string, at: number, interval: number): boolean {
    const last = this.lastPlainContact.get(userKey);
    if (last !== undefined && at - last < interval) return false;
    this.lastPlainContact.delete(userKey);
    this.lastPlainContact.set(userKey, at);
    if (this.lastPlainContact.size > PLAIN_CONTACT_MEMORY) this.lastPlainContact.delete(this.lastPlainContact.keys().next().value as string);
    return true;
  }

  private schedule(customerId: string): void {
    if (this.stopped) return;
    clearTimeout(this.timers.get(customerId));
    const timer = setTimeout(() => {
      this.timers.delete(customerId);
      this.enqueue(customerId);
    }, this.options.debounceMs ?? 2000);
    timer.unref();
    this.timers.set(customerId, timer);
  }

  /**
   * Recomputations wait their turn: at most `maxConcurrent` at once, so a burst of signals never
   * floods the store the clients' turns read from (a recomputation is several queries).
   */
  private enqueue(customerId: string): void {
    this.queued.add(customerId);
    this.pump();
  }

  private pump(): void {
    while (this.active < (this.options.maxConcurrent ?? 2) && this.queued.size) {
      const next = this.queued.values().next().value as string;
      this.queued.delete(next);
      this.active += 1;
      this.track(this.recompute(next).finally(() => { this.active -= 1; this.pump(); }), 'churn recompute');
    }
  }

  private async customerOf(subject: SignalSubject): Promise<Customer | undefined> {
    if ('customerId' in subject) return this.options.customers.get(subject.customerId);
    if ('channelId' in subject) return this.options.customers.findByChannelUser(subject.channelId, subject.userId);
    // A respondent key is a customer id, or `channelId:userId` when the client was not known.
    const byId = await this.options.customers.get(subject.respondentKey);
    if (byId) return byId;
    const i = subject.respondentKey.indexOf(':');
    return i > 0 ? this.options.customers.findByChannelUser(subject.respondentKey.slice(0, i), subject.respondentKey.slice(i + 1)) : undefined;
  }

  private track(work: Promise<unknown>, what: string): void {
    const tracked = work.catch((error) => this.options.onError(error, what)).finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}
