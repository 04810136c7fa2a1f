import { randomUUID } from 'node:crypto';
import type { Activity } from 'botbuilder';
import { AppError } from '../appError';
import type { ProactiveTarget } from '../proactive/proactiveSender';
import type { HandoffRequest, HandoffRequester, HandoffRequestResult } from './handoffRequester';
import type { HandoffCase, HandoffDesk, HandoffEvent, HandoffMessage, HandoffStatus, QueueEntry, StaffRef } from './handoffDesk';
import type { HandoffCaseRecord, HandoffCaseRepository } from './handoffCaseRepository';
import type { HandoffEventBus } from './handoffEventBus';
import { handoffPriority, type PriorityInputs } from './handoffPriority';
import type { HandoffRequestRepository } from './handoffRequestService';
import { isLowSatisfaction, recentSatisfaction } from './recentCsat';
import { respondentKeyFor, type SurveyResponseRepository } from '../surveys/surveyResponseRepository';

/** How the service reaches the client's channel outside a turn (the bot's ProactiveMessenger). */
export interface HandoffChannel {
  /** A text message; awaited and retried on 429/5xx. */
  sendToConversation(target: ProactiveTarget, text: string): Promise<void>;
  /** Any activity (the `handoff.status` event); awaited and retried on 429/5xx. */
  sendActivityToConversation(target: ProactiveTarget, activity: Partial<Activity>): Promise<void>;
}

/** What the queue may know about a client besides the request: tier and churn-risk signals. */
export type ClientSignals = (request: HandoffRequest) => Promise<{ customerId?: string } & Omit<PriorityInputs, 'reason' | 'waitingSeconds'>>;

/** Options for {@link HandoffService}. */
export interface HandoffServiceOptions {
  repository: HandoffCaseRepository;
  bus: HandoffEventBus;
  channel: HandoffChannel;
  /** Staff hours: outside them the client is offered a callback instead of the queue. */
  isStaffAvailableAt: (instant: Date) => boolean;
  /** Average minutes an agent spends per case. */
  minutesPerCase: number;
  /** Agents taking cases at the same time. */
  staffOnDuty: number;
  /** Above this estimated wait the client is offered a callback instead. */
  maxWaitMinutes: number;
  signals?: ClientSignals;
  /** Every request is also logged here (queued or answered with a callback offer), for client analysis. */
  requests?: HandoffRequestRepository;
  /** Survey answers: a recent low CSAT/NPS raises the client's churn risk (see handoffPriority). */
  surveyResponses?: SurveyResponseRepository;
  /** Texts the client gets from the desk (localized by the caller). */
  texts: (language: HandoffCase['language'], key: 'claimed' | 'endedBot' | 'endedClosed' | 'leftQueue' | 'queuedReminder', vars?: Record<string, string>) => string;
  now?: () => Date;
  onError?: (error: unknown, what: string) => void;
}

/** A queued client is told their new place when their estimated wait drops by at least this much (or they are next). */
export const MATERIAL_WAIT_CHANGE_MINUTES = 2;

/** Legal transitions of the state machine; anything else is a 409. */
const LEGAL: Record<HandoffStatus, HandoffStatus[]> = {
  bot: ['queued'],
  queued: ['with_staff', 'bot'],
  with_staff: ['with_staff', 'bot', 'closed'],
  closed: [],
};

function publicCase(record: HandoffCaseRecord): HandoffCase {
  const { version: _v, priorityInputs: _p, ...rest } = record;
  return rest;
}

/**
 * Human handoff: the queue the dialogs put clients in (as {@link HandoffRequester}) and the
 * desk the console works (as {@link HandoffDesk}). Every transition is won by inserting the
 * case's next version (see {@link HandoffCaseRepository}); each one is published on the
 * event bus and told to the client's channel as a `handoff.status` event.
 */
export class HandoffService implements HandoffRequester, HandoffDesk {
  private readonly now: () => Date;
  private afterReturnToBot: ((handoffCase: HandoffCase) => Promise<void>) | undefined;
  private readonly localListeners = new Set<(event: HandoffEvent) => void>();

  constructor(private readonly options: HandoffServiceOptions) {
    for (const key of ['repository', 'bus', 'channel', 'isStaffAvailableAt', 'texts'] as const) {
      if (!options?.[key]) throw new Error(`HandoffService needs ${key}`);
    }
    this.now = options.now ?? (() => new Date());
  }

  /**
   * What runs after an agent hands a client back to the bot (the CSAT question). A direct hook,
   * not a bus listener: the Redis bus reaches every process, and the survey must start once.
   */
  setAfterReturnToBot(hook: (handoffCase: HandoffCase) => Promise<void>): void {
    this.afterReturnToBot = hook;
  }

  /**
   * Listens to the events this process makes, each once (the bus delivers every process's events
   * to every process): for side effects that must happen once, such as posting the staff Teams
   * card. Called after the event is published; a throwing listener is its own problem. Returns the unsubscribe function.
   */
  onLocalEvent(listener: (event: HandoffEvent) => void): () => void {
    this.localListeners.add(listener);
    return () => { this.localListeners.delete(listener); };
  }

  async requestHandoff(request: HandoffRequest): Promise<HandoffRequestResult> {
    const requestedAt = this.now();
    await this.options.requests?.add({ ...request, requestedAt, status: 'requested' });
    const open = await this.options.repository.findOpen(request.channelId, request.conversationId);
    if (open?.status === 'with_staff') return { requestedAt, queued: true, position: 0, estimatedWaitMinutes: 0 };
    if (open) return { requestedAt, queued: true, ...(await this.positionOf(open.caseId)) };
    if (!this.options.isStaffAvailableAt(requestedAt)) return { requestedAt, queued: false, offerCallback: 'outside_hours' };
    const queue = await this.listQueue();
    const estimate = this.estimateMinutes(queue.length + 1);
    if (estimate > this.options.maxWaitMinutes) return { requestedAt, queued: false, estimatedWaitMinutes: estimate, offerCallback: 'long_wait' };

    const signals = this.options.signals ? await this.options.signals(request).catch((error) => { this.options.onError?.(error, 'client signals'); return {}; }) : {};
    const { customerId, ...inputs } = signals as { customerId?: string } & Partial<PriorityInputs>;
    const priorityInputs: PriorityInputs = { ...inputs, reason: request.reason, waitingSeconds: 0 };
    if (!priorityInputs.recentLowCsat && (await this.hasRecentLowCsat(request, customerId))) priorityInputs.recentLowCsat = true;
    const record: HandoffCaseRecord = {
      caseId: randomUUID(), channelId: request.channelId, conversationId: request.conversationId, userId: request.userId,
      language: request.language, reason: request.reason, status: 'queued', priority: handoffPriority(priorityInputs),
      queuedAt: requestedAt, version: 1, priorityInputs,
    };
    if (customerId) record.customerId = customerId;
    if (inputs.tier) record.tier = inputs.tier;
    if (request.detail) record.detail = request.detail;
    await this.options.repository.insert(record, { caseId: record.caseId, version: 1, from: 'bot', to: 'queued', at: requestedAt });
    await this.publish({ type: 'queued', case: publicCase(record) });
    return { requestedAt, queued: true, ...(await this.positionOf(record.caseId)) };
  }

  /** The conversation's open case (queued or with staff), for the relay. */
  async openCaseFor(channelId: string, conversationId: string): Promise<HandoffCase | undefined> {
    const record = await this.options.repository.findOpen(channelId, conversationId);
    return record ? publicCase(record) : undefined;
  }

  /** Place in the queue (1 = next) and estimated wait of a queued case. */
  async positionOf(caseId: string): Promise<{ position: number; estimatedWaitMinutes: number }> {
    const queue = await this.listQueue();
    const index = queue.findIndex((entry) => entry.caseId === caseId);
    const position = index < 0 ? queue.length + 1 : index + 1;
    return { position, estimatedWaitMinutes: this.estimateMinutes(position) };
  }

  /** The client leaves the queue (typed "cancel" while waiting): queued → bot. */
  async leaveQueue(caseId: string): Promise<HandoffCase> {
    const before = await this.queueSnapshot();
    const record = await this.transition(caseId, 'bot', undefined, (r) => { r.endedAt = this.now(); });
    const result = publicCase(record);
    await this.publish({ type: 'left_queue', case: result });
    await this.tellQueueMoved(before);
    return result;
  }

  /** A client message during a live case: stored for the console and published. */
  async recordClientMessage(caseId: string, text: string): Promise<HandoffMessage> {
    const message: HandoffMessage = { caseId, from: 'client', text, at: this.now() };
    await this.options.repository.addMessage(message);
    await this.publish({ type: 'message', message });
    return message;
  }

  async listQueue(): Promise<QueueEntry[]> {
    const now = this.now();
    const records = await this.options.repository.listByStatus('queued');
    const entries = records.map((record) => {
      const waitingSeconds = Math.max(0, Math.floor((now.getTime() - new Date(record.queuedAt).getTime()) / 1000));
      return { ...publicCase(record), priority: handoffPriority({ ...record.priorityInputs, waitingSeconds }), waitingSeconds, position: 0 };
    });
    entries.sort((a, b) => b.priority - a.priority || new Date(a.queuedAt).getTime() - new Date(b.queuedAt).getTime() || a.caseId.localeCompare(b.caseId));
    entries.forEach((entry, index) => { entry.position = index + 1; });
    return entries;
  }

  async listActive(staffId?: string): Promise<HandoffCase[]> {
    const records = await this.options.repository.listByStatus('with_staff');
    return records.filter((r) => !staffId || r.claimedBy?.staffId === staffId).map(publicCase);
  }

  async getCase(caseId: string): Promise<HandoffCase | undefined> {
    const record = await this.options.repository.get(caseId);
    return record ? publicCase(record) : undefined;
  }

  async claim(caseId: string, staff: StaffRef): Promise<HandoffCase> {
    checkStaff(staff);
    const before = await this.queueSnapshot();
    const record = await this.transition(caseId, 'with_staff', staff, (r) => { r.claimedBy = staff; r.claimedAt = this.now(); }, ['queued']);
    const result = publicCase(record);
    await this.publish({ type: 'claimed', case: result });
    await this.tellClient(record, 'claimed', { name: staff.displayName });
    await this.tellQueueMoved(before);
    return result;
  }

  async transfer(caseId: string, from: StaffRef, to: StaffRef): Promise<HandoffCase> {
    checkStaff(from);
    checkStaff(to);
    await this.requireHolder(caseId, from);
    const record = await this.transition(caseId, 'with_staff', to, (r) => { r.claimedBy = to; r.claimedAt = this.now(); }, ['with_staff']);
    const result = publicCase(record);
    await this.publish({ type: 'transferred', case: result, from });
    await this.tellClient(record, 'claimed', { name: to.displayName });
    return result;
  }

  async end(caseId: string, staff: StaffRef, outcome: 'bot' | 'closed'): Promise<HandoffCase> {
    checkStaff(staff);
    if (outcome !== 'bot' && outcome !== 'closed') throw AppError.badRequest('handoff_outcome_invalid', 'The outcome must be bot or closed');
    await this.requireHolder(caseId, staff);
    const record = await this.transition(caseId, outcome, staff, (r) => { r.endedAt = this.now(); }, ['with_staff']);
    const result = publicCase(record);
    await this.tellClient(record, outcome === 'bot' ? 'endedBot' : 'endedClosed');
    if (outcome === 'bot' && this.afterReturnToBot) {
      await this.afterReturnToBot(result).catch((error) => this.options.onError?.(error, 'after return to bot'));
    }
    await this.publish({ type: 'ended', case: result, outcome });
    return result;
  }

  async reply(caseId: string, staff: StaffRef, text: string): Promise<HandoffMessage> {
    checkStaff(staff);
    const trimmed = typeof text === 'string' ? text.trim() : '';
    if (!trimmed) throw AppError.badRequest('handoff_reply_empty', 'A reply needs text');
    const record = await this.requireHolder(caseId, staff);
    await this.options.channel.sendToConversation(target(record), trimmed);
    const message: HandoffMessage = { caseId, from: 'staff', text: trimmed, at: this.now(), staff };
    await this.options.repository.addMessage(message);
    await this.publish({ type: 'message', message });
    return message;
  }

  async messages(caseId: string): Promise<HandoffMessage[]> {
    return this.options.repository.listMessages(caseId);
  }

  subscribe(listener: (event: HandoffEvent) => void): () => void {
    return this.options.bus.subscribe(listener);
  }

  /** Whether the customer (or, unknown, the channel user) gave a low CSAT or NPS in the last 90 days; a failing lookup counts as no. */
  private async hasRecentLowCsat(request: HandoffRequest, customerId: string | undefined): Promise<boolean> {
    const responses = this.options.surveyResponses;
    if (!responses) return false;
    try {
      const answers = await recentSatisfaction(responses, respondentKeyFor(request.channelId, request.userId, customerId), this.now());
      return answers.some(isLowSatisfaction);
    } catch (error) {
      this.options.onError?.(error, 'recent csat');
      return false;
    }
  }

  /** Position and estimated wait of every queued case, taken before a case leaves the queue. */
  private async queueSnapshot(): Promise<Map<string, { position: number; estimatedWaitMinutes: number }>> {
    try {
      const queue = await this.listQueue();
      return new Map(queue.map((entry) => [entry.caseId, { position: entry.position, estimatedWaitMinutes: this.estimateMinutes(entry.position) }]));
    } catch (error) {
      this.options.onError?.(error, 'queue snapshot');
      return new Map();
    }
  }

  /**
   * After a case left the queue (claimed or left), tells each client still waiting whose place
   * improved materially — the estimated wait dropped by {@link MATERIAL_WAIT_CHANGE_MINUTES} or
   * more, or they are now next — their new position and wait: one message per client per event,
   * sent by the process that made the change. A failed send is logged, never undoes the transition.
   */
  private async tellQueueMoved(before: Map<string, { position: number; estimatedWaitMinutes: number }>): Promise<void> {
    if (before.size === 0) return;
    let queue: QueueEntry[];
    try {
      queue = await this.listQueue();
    } catch (error) {
      this.options.onError?.(error, 'queue moved');
      return;
    }
    await Promise.all(queue.map(async (entry) => {
      const previous = before.get(entry.caseId);
      if (!previous || entry.position >= previous.position) return;
      const minutes = this.estimateMinutes(entry.position);
      if (entry.position !== 1 && previous.estimatedWaitMinutes - minutes < MATERIAL_WAIT_CHANGE_MINUTES) return;
      try {
        const text = this.options.texts(entry.language, 'queuedReminder', { position: String(entry.position), minutes: String(minutes) });
        await this.options.channel.sendToConversation({ channelId: entry.channelId, conversationId: entry.conversationId, userId: entry.userId }, text);
      } catch (error) {
        this.options.onError?.(error, 'tell client queue moved');
      }
    }));
  }

  private estimateMinutes(position: number): number {
    return Math.ceil((position * this.options.minutesPerCase) / Math.max(1, this.options.staffOnDuty));
  }

  /** The case, live and held by this staff member (a supervisor may act on any live case). */
  private async requireHolder(caseId: string, staff: StaffRef): Promise<HandoffCaseRecord> {
    const record = await this.options.repository.get(caseId);
    if (!record) throw AppError.notFound('handoff_case_not_found', `No handoff case ${caseId}`);
    if (record.status !== 'with_staff') throw AppError.conflict('handoff_not_live', `The case is ${record.status}, not with staff`, { status: record.status });
    if (record.claimedBy?.staffId !== staff.staffId && staff.role === 'agent') {
      throw new AppError('handoff_not_yours', `The case is held by ${record.claimedBy?.displayName ?? 'someone else'}`, 403, { claimedBy: record.claimedBy });
    }
    return record;
  }

  /**
   * Moves the case to `to` if the transition is legal and this caller inserts the next
   * version first. A lost race names the winner: 409 `already_taken` for a claim, else `handoff_conflict`.
   */
  private async transition(
    caseId: string, to: HandoffStatus, staff: StaffRef | undefined, apply: (record: HandoffCaseRecord) => void, from?: HandoffStatus[],
  ): Promise<HandoffCaseRecord> {
    const record = await this.options.repository.get(caseId);
    if (!record) throw AppError.notFound('handoff_case_not_found', `No handoff case ${caseId}`);
    if ((from && !from.includes(record.status)) || !LEGAL[record.status].includes(to)) throw this.illegal(record, to);
    const version = record.version + 1;
    const lost = await this.options.repository.recordTransition({ caseId, version, from: record.status, to, ...(staff ? { staff } : {}), at: this.now() });
    if (lost) {
      if (lost.to === 'with_staff' && to === 'with_staff' && record.status === 'queued') {
        throw AppError.conflict('already_taken', `Already taken by ${lost.staff?.displayName ?? 'another agent'}`, { claimedBy: lost.staff });
      }
      throw AppError.conflict('handoff_conflict', `The case changed first (${lost.from} → ${lost.to})`, { status: lost.to, by: lost.staff });
    }
    const next: HandoffCaseRecord = { ...record, status: to, version };
    apply(next);
    await this.options.repository.save(next);
    return next;
  }

  private illegal(record: HandoffCaseRecord, to: HandoffStatus): AppError {
    if (record.status === 'with_staff' && to === 'with_staff' && record.claimedBy) {
      return AppError.conflict('already_taken', `Already taken by ${record.claimedBy.displayName}`, { claimedBy: record.claimedBy });
    }
    return AppError.conflict('handoff_illegal_transition', `A ${record.status} case cannot become ${to}`, { status: record.status });
  }

  /** Tells the client (text) and their channel (`handoff.status`); a failed send is logged, never undoes the transition. */
  private async tellClient(record: HandoffCaseRecord, key: 'claimed' | 'endedBot' | 'endedClosed', vars?: Record<string, string>): Promise<void> {
    const to = target(record);
    try {
      await this.options.channel.sendActivityToConversation(to, {
        type: 'event', name: 'handoff.status', value: { state: record.status === 'with_staff' ? 'accepted' : 'completed', caseId: record.caseId, status: record.status },
      });
      await this.options.channel.sendToConversation(to, this.options.texts(record.language, key, vars));
    } catch (error) {
      this.options.onError?.(error, `tell client ${key}`);
    }
  }

  private async publish(event: HandoffEvent): Promise<void> {
    try {
      await this.options.bus.publish(event);
    } catch (error) {
      this.options.onError?.(error, `publish ${event.type}`);
    }
    for (const listener of this.localListeners) {
      try { listener(event); } catch (error) { this.options.onError?.(error, `local listener of ${event.type}`); }
    }
  }
}

function target(record: HandoffCaseRecord): ProactiveTarget {
  return { channelId: record.channelId, conversationId: record.conversationId, userId: record.userId };
}

function checkStaff(staff: StaffRef): void {
  if (!staff?.staffId || !staff.displayName) throw AppError.badRequest('staff_required', 'A staff member (id and name) is required');
}
