import { DateTime } from 'luxon';
import { AppError } from '../appError';
import type { AuditEventRepository } from '../audit/auditEventRepository';
import { formatDateTime } from '../i18n/formatters';
import type { Localizer } from '../i18n/localizer';
import type { ProactiveSender } from '../proactive/proactiveSender';
import { sendClientNotice } from '../proactive/clientNotice';
import {
  CALLBACK_OUTCOMES, MAX_CALLBACK_PAGE,
  type Callback, type CallbackDeskRepository, type CallbackEvent, type CallbackOutcome, type CallbackStaffRef, type CallbackStatus,
} from './callbackRepository';

/** The longest note staff can leave on an outcome. */
export const MAX_OUTCOME_NOTE_CHARS = 2000;
/** The longest date range one list request may cover. */
export const MAX_LIST_DAYS = 31;
export const CALLBACK_STATUSES: readonly CallbackStatus[] = ['booked', 'cancelled', 'done', 'missed'];

/** The staff member acting, as the console knows them. */
export interface CallbackActor extends CallbackStaffRef {
  /** Where the request came from, for the audit. */
  ip?: string;
}

/** What the desk list can be asked for. Days are `YYYY-MM-DD` in the bank's time zone; `to` is inclusive. */
export interface CallbackDeskQuery {
  /** One day; the default when no day or range is given is today. */
  day?: string;
  from?: string;
  to?: string;
  statuses?: CallbackStatus[];
  /** A staff id, or `null` for callbacks nobody has taken. */
  assigneeId?: string | null;
  /** Only callbacks whose slot has started and that are still booked. */
  dueNow?: boolean;
  offset?: number;
  limit?: number;
}

/** A callback as the desk shows it: the record plus when its slot ends and whether it is due now. */
export type DeskCallback = Callback & { slotEnd: Date; dueNow: boolean };

export interface CallbackDeskPage {
  items: DeskCallback[];
  total: number;
  /** The days listed, inclusive, and the zone they are in. */
  from: string;
  to: string;
  timeZone: string;
  now: Date;
}

/** The answer to recording an outcome; `clientNotified` only after a missed call. */
export interface OutcomeResult {
  callback: DeskCallback;
  clientNotified?: boolean;
}

export interface CallbackDeskOptions {
  repository: CallbackDeskRepository;
  /** Reaches the client after a missed call (the reminders' sender). */
  sender: ProactiveSender;
  localizer: Pick<Localizer, 't'>;
  audit: Pick<AuditEventRepository, 'add'>;
  /** The bank's time zone: days are counted and times shown in it. */
  timeZone: string;
  /** Length of a callback slot (for the slot's end). */
  slotMinutes: number;
  /** A message to the client that takes longer is given up (the outcome stands). Default 15 000. */
  sendTimeoutMs?: number;
  /** Told about a message that could not be sent, and any other side effect that failed. */
  onError?: (error: unknown, what: string) => void;
  now?: () => Date;
}

/**
 * The callback desk: staff list the calls to make, take one, and record how it went. Only a
 * booked callback can be taken or given an outcome, and no outcome before its slot starts.
 * A missed call tells the client in their language that the bank tried, and offers to book
 * again; a client who cannot be reached does not undo the outcome, the history says so.
 * Every change is audited. (Churn risk hears of outcomes through the repository's signal
 * decorator, like bookings and cancellations.)
 */
export class CallbackDesk {
  private readonly now: () => Date;
  private readonly sendTimeoutMs: number;

  constructor(private readonly options: CallbackDeskOptions) {
    for (const key of ['repository', 'sender', 'localizer', 'audit', 'timeZone'] as const) {
      if (!options?.[key]) throw new Error(`CallbackDesk needs ${key}`);
    }
    if (!(options.slotMinutes > 0)) throw new Error('CallbackDesk needs slotMinutes above 0');
    this.now = options.now ?? (() => new Date());
    this.sendTimeoutMs = options.sendTimeoutMs ?? 15_000;
  }

  get timeZone(): string {
    return this.options.timeZone;
  }

  /** Today in the bank's time zone (`YYYY-MM-DD`). */
  today(): string {
    return DateTime.fromJSDate(this.now(), { zone: this.timeZone }).toISODate()!;
  }

  /** The callbacks to work, earliest slot first; AppError 400 for a day or range that is not one. */
  async list(query: CallbackDeskQuery = {}): Promise<CallbackDeskPage> {
    if (query.day && (query.from || query.to)) throw AppError.badRequest('invalid_range', 'give either day or from/to, not both');
    const fromDay = query.day ?? query.from ?? query.to ?? this.today();
    const toDay = query.day ?? query.to ?? fromDay;
    const from = this.startOfDay(fromDay, query.day ? 'day' : 'from');
    const to = this.startOfDay(toDay, query.day ? 'day' : 'to').plus({ days: 1 });
    if (to <= from) throw AppError.badRequest('invalid_range', 'from must not be after to');
    if (to.diff(from, 'days').days > MAX_LIST_DAYS + 0.5) throw AppError.badRequest('invalid_range', `a range covers at most ${MAX_LIST_DAYS} days`);
    for (const status of query.statuses ?? []) {
      if (!CALLBACK_STATUSES.includes(status)) throw AppError.badRequest('invalid_status', `status must be among ${CALLBACK_STATUSES.join(', ')}`);
    }
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CALLBACK_PAGE) throw AppError.badRequest('invalid_limit', `limit must be a whole number from 1 to ${MAX_CALLBACK_PAGE}`);
    const offset = query.offset ?? 0;
    if (!Number.isInteger(offset) || offset < 0) throw AppError.badRequest('invalid_offset', 'offset must be a whole number, 0 or more');
    const now = this.now();
    const page = await this.options.repository.list({
      from: from.toJSDate(), to: to.toJSDate(), statuses: query.statuses?.length ? query.statuses : undefined,
      assigneeId: query.assigneeId, dueAt: query.dueNow ? now : undefined, offset, limit,
    });
    return { items: page.items.map((c) => this.forDesk(c, now)), total: page.total, from: fromDay, to: toDay, timeZone: this.timeZone, now };
  }

  /** One callback and its history; AppError 404 for an unknown reference. */
  async get(reference: string): Promise<{ callback: DeskCallback; history: CallbackEvent[] }> {
    const callback = await this.found(reference);
    return { callback: this.forDesk(callback, this.now()), history: await this.options.repository.listEvents(callback.reference) };
  }

  /** Gives a booked callback to `assignee` (the actor taking it, or a colleague they hand it to). */
  async assign(reference: string, assignee: CallbackStaffRef, actor: CallbackActor): Promise<DeskCallback> {
    const current = await this.found(reference);
    this.mustBeBooked(current);
    const at = this.now();
    const taken = await this.options.repository.assign(current.reference, assignee, actor, at)
      ?? this.mustBeBooked(await this.found(reference)); // cancelled or worked in between: say which
    await this.options.audit.add({
      type: 'callback.assign', at, staffId: actor.staffId, caseId: current.reference, ip: actor.ip,
      detail: { reference: current.reference, assignee: assignee.staffId, previous: current.assignee?.staffId ?? null },
    });
    return this.forDesk(taken, at);
  }

  /**
   * Records done (spoke with the client) or missed (no answer, wrong number...). After a missed
   * call the client is messaged; `clientNotified` says whether the channel took the message.
   */
  async recordOutcome(reference: string, input: { outcome: unknown; note?: unknown }, actor: CallbackActor): Promise<OutcomeResult> {
    const outcome = input.outcome as CallbackOutcome;
    if (!CALLBACK_OUTCOMES.includes(outcome)) throw AppError.badRequest('invalid_outcome', 'outcome must be done or missed');
    if (input.note !== undefined && input.note !== null && typeof input.note !== 'string') throw AppError.badRequest('invalid_note', 'note must be text');
    const note = typeof input.note === 'string' ? input.note.trim() : '';
    if (note.length > MAX_OUTCOME_NOTE_CHARS) throw AppError.badRequest('invalid_note', `note must be at most ${MAX_OUTCOME_NOTE_CHARS} characters`);
    if (outcome === 'missed' && !note) throw AppError.badRequest('note_required', 'say why the call was missed (no answer, wrong number...)');
    const current = await this.found(reference);
    this.mustBeBooked(current);
    const at = this.now();
    if (at < current.slotStart) {
      throw AppError.conflict('callback_not_started', 'an outcome can be recorded only once the callback\'s slot has started', { slotStart: current.slotStart.toISOString() });
    }
    const by = { staffId: actor.staffId, displayName: actor.displayName };
    const worked = await this.options.repository.recordOutcome(current.reference, { outcome, by, at, ...(note ? { note } : {}) })
      ?? this.mustBeBooked(await this.found(reference));
    await this.options.audit.add({
      type: 'callback.outcome', at, staffId: actor.staffId, caseId: worked.reference, ip: actor.ip,
      detail: { reference: worked.reference, outcome, noteChars: note.length },
    });
    if (outcome !== 'missed') return { callback: this.forDesk(worked, at) };
    return { callback: this.forDesk(worked, at), clientNotified: await this.tellClientWeTried(worked) };
  }

  /** The client hears that the bank tried to call and can book again; the history records whether the message got through. */
  private async tellClientWeTried(callback: Callback): Promise<boolean> {
    const text = this.options.localizer.t(callback.language, 'callback.missedByBank', {
      time: formatDateTime(callback.slotStart, callback.language, this.timeZone), phone: callback.phone, reference: callback.reference,
    });
    const reason = await sendClientNotice(this.options.sender, { channelId: callback.channelId, conversationId: callback.conversationId, userId: callback.userId }, text, {
      timeoutMs: this.sendTimeoutMs, what: `missed-call message for ${callback.reference}`, ...(this.options.onError ? { onError: this.options.onError } : {}),
    });
    const event: CallbackEvent = reason
      ? { reference: callback.reference, type: 'client_not_notified', at: this.now(), reason }
      : { reference: callback.reference, type: 'client_notified', at: this.now() };
    await this.options.repository.addEvent(event).catch((error) => this.options.onError?.(error, `history entry for ${callback.reference}`));
    return !reason;
  }

  private async found(reference: string): Promise<Callback> {
    const callback = await this.options.repository.findByReference(reference.trim().toUpperCase());
    if (!callback) throw AppError.notFound('callback_not_found', 'no callback with this reference');
    return callback;
  }

  /** Passes a booked callback through; anything else is the 409 that says why it cannot be worked. */
  private mustBeBooked(callback: Callback): Callback {
    if (callback.status === 'cancelled') throw AppError.conflict('callback_cancelled', 'the client cancelled this callback', { status: callback.status });
    if (callback.status !== 'booked') throw AppError.conflict('callback_closed', `this callback is already ${callback.status}`, { status: callback.status });
    return callback;
  }

  private forDesk(callback: Callback, now: Date): DeskCallback {
    const slotEnd = new Date(callback.slotStart.getTime() + this.options.slotMinutes * 60_000);
    return { ...callback, slotEnd, dueNow: callback.status === 'booked' && callback.slotStart <= now };
  }

  private startOfDay(text: string, name: string): DateTime {
    const day = /^\d{4}-\d{2}-\d{2}$/.test(text) ? DateTime.fromISO(text, { zone: this.timeZone }) : undefined;
    if (!day?.isValid) throw AppError.badRequest('invalid_range', `${name} must be a date (YYYY-MM-DD)`);
    return day.startOf('day');
  }
}
