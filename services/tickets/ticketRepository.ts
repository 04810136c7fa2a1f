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
}

/** A ticket before it has a reference. */
export type NewTicket = Omit<Ticket, 'reference'>;

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
