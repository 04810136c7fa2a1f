import crypto from 'node:crypto';
import { AppError } from '../appError';
import type { AuditEventRepository } from '../audit/auditEventRepository';
import type { Localizer } from '../i18n/localizer';
import type { ProactiveSender } from '../proactive/proactiveSender';
import { sendClientNotice, type ClientNoticeFailure } from '../proactive/clientNotice';
import { isReference } from './referenceGenerator';
import {
  TICKET_STATUSES,
  type StaffActor, type Ticket, type TicketEvent, type TicketListQuery, type TicketRepository, type TicketStatus, type TicketTransition,
} from './ticketRepository';

/** Longest note (and resolution) staff may write: what the client reads must stay a message, not a letter. */
export const MAX_TICKET_NOTE_LENGTH = 2000;

/**
 * The moves staff may make. Everything else is a 409: a closed ticket stays closed (a new
 * complaint is a new ticket), and a ticket is never sent back to "open" (someone has it).
 */
export const TICKET_TRANSITIONS: ReadonlyArray<{ from: TicketStatus; to: TicketStatus; noteRequired: boolean }> = [
  { from: 'open', to: 'in_progress', noteRequired: false }, // "assign to me"
  { from: 'open', to: 'resolved', noteRequired: true }, // settled at once, e.g. on the phone
  { from: 'in_progress', to: 'resolved', noteRequired: true },
  { from: 'resolved', to: 'closed', noteRequired: false },
  { from: 'resolved', to: 'in_progress', noteRequired: false }, // reopen
];

/** The statuses a ticket in `status` may move to, in the order the console offers them. */
export function allowedTransitions(status: TicketStatus): TicketStatus[] {
  return TICKET_TRANSITIONS.filter((t) => t.from === status).map((t) => t.to);
}

export interface TicketDeskServiceOptions {
  /** The tickets (decorated with churn signals in the app, so a change recomputes the client's risk). */
  tickets: TicketRepository;
  /** Messages the client when their complaint is resolved. */
  sender: ProactiveSender;
  localizer: Localizer;
  audit: AuditEventRepository;
  /** A resolution message that takes longer is given up as not delivered. Default 15 000. */
  sendTimeoutMs?: number;
  now?: () => Date;
}

/** What a status change did: the ticket after it, and for a resolution whether the client got the message. */
export interface StatusChangeOutcome {
  ticket: Ticket;
  clientNotified?: boolean;
}

/**
 * The complaint desk's rules: which status moves are allowed, what a resolution needs, who a
 * ticket is assigned to, telling the client when it is resolved, and the audit record of
 * every change. Storage and delivery are behind ports; churn-risk recomputation follows from
 * the (decorated) repository write.
 */
export class TicketDeskService {
  private readonly now: () => Date;
  private readonly sendTimeoutMs: number;

  constructor(private readonly options: TicketDeskServiceOptions) {
    for (const key of ['tickets', 'sender', 'localizer', 'audit'] as const) {
      if (!options?.[key]) throw new Error(`TicketDeskService needs ${key}`);
    }
    this.now = options.now ?? (() => new Date());
    this.sendTimeoutMs = options.sendTimeoutMs ?? 15_000;
  }

  /** A page of tickets for the console, soonest due first. */
  async list(query: Omit<TicketListQuery, 'now'>): Promise<{ items: Ticket[]; total: number }> {
    return this.options.tickets.list({ ...query, now: this.now() });
  }

  /** The ticket; AppError 404 when there is none. */
  async get(reference: string): Promise<Ticket> {
    const normalized = typeof reference === 'string' ? reference.trim().toUpperCase() : '';
    const ticket = isReference(normalized, 'CMP') ? await this.options.tickets.get(normalized) : undefined;
    if (!ticket) throw AppError.notFound('ticket_not_found', 'no complaint ticket with this reference');
    return ticket;
  }

  /**
   * Moves the ticket to `status` on `actor`'s behalf. 400 for a bad status or note, 404 for an
   * unknown reference, 409 for a move the rules do not allow or when someone else moved the
   * ticket first. A resolution is then sent to the client; if that fails the change stands and
   * its history event says the client was not notified.
   */
  async changeStatus(reference: string, request: { status: unknown; note?: unknown }, actor: StaffActor, ip?: string): Promise<StatusChangeOutcome> {
    if (!actor?.staffId || !actor.displayName) throw new Error('changeStatus needs the acting staff member');
    const to = request?.status;
    if (typeof to !== 'string' || !TICKET_STATUSES.includes(to as TicketStatus)) {
      throw AppError.badRequest('ticket_invalid_status', `status must be one of ${TICKET_STATUSES.join(', ')}`);
    }
    const note = checkNote(request.note);
    const ticket = await this.get(reference);
    const rule = TICKET_TRANSITIONS.find((t) => t.from === ticket.status && t.to === to);
    if (!rule) {
      throw AppError.conflict('ticket_transition_not_allowed', `a ${ticket.status} ticket cannot become ${to}`, { from: ticket.status, to, allowed: allowedTransitions(ticket.status) });
    }
    if (rule.noteRequired && !note) throw AppError.badRequest('ticket_note_required', 'resolving a complaint needs a resolution note for the client');

    const at = this.now();
    const event: TicketEvent = { id: crypto.randomUUID(), at, by: { staffId: actor.staffId, displayName: actor.displayName }, from: ticket.status, to: rule.to, ...(note ? { note } : {}) };
    const change: TicketTransition = { from: ticket.status, to: rule.to, event, ...fieldsFor(rule.to, ticket, event, note) };
    const changed = await this.options.tickets.transition(ticket.reference, change);
    if (!changed) {
      // Someone moved it between our read and our write: their change stands, ours is refused.
      const current = await this.options.tickets.get(ticket.reference);
      if (!current) throw AppError.notFound('ticket_not_found', 'no complaint ticket with this reference');
      throw AppError.conflict('ticket_changed', `the ticket was changed meanwhile and is now ${current.status}; reload it`, { from: current.status, to, allowed: allowedTransitions(current.status) });
    }
    await this.options.audit.add({
      type: 'ticket.status', at, staffId: actor.staffId, ...(ip ? { ip } : {}),
      detail: { reference: ticket.reference, from: ticket.status, to: rule.to, ...(note ? { noteLength: note.length } : {}) },
    });
    if (rule.to !== 'resolved') return { ticket: changed };

    const delivery = await this.notifyClient(changed, note!);
    const recorded = await this.options.tickets.recordNotification(changed.reference, event.id, delivery);
    const after = recorded ? await this.options.tickets.get(changed.reference) : undefined;
    return { ticket: after ?? changed, clientNotified: delivery.clientNotified };
  }

  /** Sends the resolution in the client's language on their conversation; never throws. */
  private async notifyClient(ticket: Ticket, note: string): Promise<{ clientNotified: boolean; notificationError?: ClientNoticeFailure }> {
    const text = this.options.localizer.t(ticket.language, 'complaint.resolvedNotice', { reference: ticket.reference, note });
    const failure = await sendClientNotice(this.options.sender, { channelId: ticket.channelId, conversationId: ticket.conversationId, userId: ticket.userId }, text, {
      timeoutMs: this.sendTimeoutMs, what: `resolution notice for ${ticket.reference}`,
    });
    return failure ? { clientNotified: false, notificationError: failure } : { clientNotified: true };
  }
}

/** The note, trimmed, or undefined when empty; 400 when it is not text or too long. */
function checkNote(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw AppError.badRequest('ticket_invalid_note', 'note must be text');
  const note = value.trim();
  if ([...note].length > MAX_TICKET_NOTE_LENGTH) throw AppError.badRequest('ticket_note_too_long', `a note has at most ${MAX_TICKET_NOTE_LENGTH} characters`);
  return note || undefined;
}

/** What a move to `to` sets besides the status: the assignee, the resolution and its time, the close time. */
function fieldsFor(to: TicketStatus, ticket: Ticket, event: TicketEvent, note: string | undefined): Partial<TicketTransition> {
  switch (to) {
    case 'in_progress':
      // Taking or reopening a ticket makes it yours; a reopened ticket is no longer resolved.
      return { assignee: event.by, ...(ticket.status === 'resolved' ? { resolvedAt: null, resolutionNote: null } : {}) };
    case 'resolved':
      return { resolvedAt: event.at, resolutionNote: note, ...(ticket.assignee ? {} : { assignee: event.by }) };
    case 'closed':
      return { closedAt: event.at };
    default:
      return {};
  }
}
