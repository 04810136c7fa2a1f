import type { Language } from '../i18n/localizer';
import type { Contact } from '../contact/contactValidator';

/** What a complaint is about; the dialog offers exactly these. */
export const COMPLAINT_CATEGORIES = ['service_quality', 'fees_charges', 'loan_delay', 'staff_conduct', 'online_banking', 'other'] as const;
export type ComplaintCategory = (typeof COMPLAINT_CATEGORIES)[number];

/** How urgent the client says it is; drives the SLA and, when critical, a request for a person. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A ticket's life: the bot only opens; staff move it on. */
export const TICKET_STATUSES = ['open', 'in_progress', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** A complaint ticket, as staff work it and the client quotes it (by reference). */
export interface Ticket {
  /** `CMP-YYYYMMDD-XXXX`, unique. */
  reference: string;
  channelId: string;
  /** The channel user id of the filer: only they see the ticket through the bot. */
  userId: string;
  conversationId: string;
  customerId?: string;
  language: Language;
  category: ComplaintCategory;
  /** As the client wrote it (masking of card and ID numbers happens before it gets here). */
  description: string;
  severity: Severity;
  contact: Contact;
  status: TicketStatus;
  createdAt: Date;
  slaDueAt: Date;
  /** The staff member working it (set when someone takes it). */
  assignee?: StaffActor;
  /** When it was last resolved; cleared when reopened. The dashboard's on-time test is resolvedAt <= slaDueAt. */
  resolvedAt?: Date;
  /** When it was closed. */
  closedAt?: Date;
  /** What staff told the client when resolving (also sent to the client); cleared when reopened. */
  resolutionNote?: string;
  /** Every status change, oldest first; absent until the first one. */
  history?: TicketEvent[];
  /** Last status change. */
  updatedAt?: Date;
}

/** Who moved a ticket: the console's signed-in staff member. */
export interface StaffActor {
  staffId: string;
  displayName: string;
}

/** One status change of a ticket, as the history shows it. */
export interface TicketEvent {
  /** Random id, so the outcome of what followed (the client message) can be written onto this event. */
  id: string;
  at: Date;
  by: StaffActor;
  from: TicketStatus;
  to: TicketStatus;
  note?: string;
  /**
   * Only on changes that message the client (resolved): true once the channel accepted the
   * message, false when it could not be delivered (then `notificationError` says why).
   */
  clientNotified?: boolean;
  notificationError?: string;
}

/** A ticket before it has a reference (new tickets have no assignee, history or resolution yet). */
export type NewTicket = Omit<Ticket, 'reference' | 'assignee' | 'resolvedAt' | 'closedAt' | 'resolutionNote' | 'history' | 'updatedAt'>;

/** Filters of the staff list; every one optional, all given ones must match. */
export interface TicketListQuery {
  status?: TicketStatus;
  category?: ComplaintCategory;
  severity?: Severity;
  /** Staff id of the assignee. */
  assigneeId?: string;
  /** Only tickets still open (open / in progress) whose SLA due time is before `now`. */
  overdue?: boolean;
  /** Part of the reference, any case ("4F7Q", "cmp-20261129"). */
  reference?: string;
  offset?: number;
  limit?: number;
  /** The instant "overdue" is judged at. */
  now: Date;
}

/** Most tickets one list call returns. */
export const MAX_TICKET_PAGE = 100;

/**
 * One guarded status change: applied only while the ticket is still in `from`. Fields set to
 * null are removed (a reopened ticket loses its resolution); undefined ones are left alone.
 */
export interface TicketTransition {
  from: TicketStatus;
  to: TicketStatus;
  /** Appended to the history. */
  event: TicketEvent;
  assignee?: StaffActor;
  resolvedAt?: Date | null;
  closedAt?: Date | null;
  resolutionNote?: string | null;
}

/**
 * Persistence port for tickets (embedded and Mongo implementations, one contract suite).
 * References are random, so `create` keeps drawing from `nextReference` while the unique
 * index reports a collision.
 */
export interface TicketRepository {
  /** Stores the ticket under the first reference not already taken; throws AppError 409 after too many collisions. */
  create(ticket: NewTicket, nextReference: () => string): Promise<Ticket>;
  /** The ticket with this reference, only if that channel user filed it. */
  findForUser(reference: string, channelId: string, userId: string): Promise<Ticket | undefined>;
  /** The user's tickets that are not resolved or closed, newest first. */
  listOpenForUser(channelId: string, userId: string): Promise<Ticket[]>;
  /** The ticket with this reference, whoever filed it (staff). */
  get(reference: string): Promise<Ticket | undefined>;
  /** Tickets matching the filters, soonest SLA due first (then by reference), a page of them and how many match in all. */
  list(query: TicketListQuery): Promise<{ items: Ticket[]; total: number }>;
  /**
   * Applies the change if the ticket is still in `change.from`, appending `change.event` to its
   * history; the ticket after the change, or undefined when there is no such ticket or it has
   * moved on (the caller tells the two apart with `get`).
   */
  transition(reference: string, change: TicketTransition): Promise<Ticket | undefined>;
  /** Writes the client-notification outcome onto one history event; false when the event is not found. */
  recordNotification(reference: string, eventId: string, outcome: { clientNotified: boolean; notificationError?: string }): Promise<boolean>;
}

/** Read-only queries for the relationship analytics (dashboard); both stores implement them. */
export interface TicketAnalyticsQueries {
  /** Every ticket filed in [from, to), oldest first. */
  listCreatedBetween(from: Date, to: Date): Promise<Ticket[]>;
}

/** How many references to draw before giving up: 31^4 ≈ 920k per day makes even 2 collisions in a row rare. */
export const REFERENCE_ATTEMPTS = 5;

/** Statuses a client still waits on. */
export const OPEN_STATUSES: readonly TicketStatus[] = ['open', 'in_progress'];
