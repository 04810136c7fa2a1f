import { AppError } from '../appError';
import type { BusinessCalendar } from '../calendar/businessCalendar';
import { parseContact } from '../contact/contactValidator';
import { generateReference } from './referenceGenerator';
import {
  COMPLAINT_CATEGORIES, SEVERITIES,
  type Severity, type Ticket, type TicketRepository,
} from './ticketRepository';

/** SLA per severity, in business hours. */
export type SlaBusinessHours = Record<Severity, number>;

/** Defaults: a critical complaint within half a business day, a low one within a working week. */
export const DEFAULT_SLA_BUSINESS_HOURS: SlaBusinessHours = { low: 40, medium: 16, high: 8, critical: 4 };

/** Longest description kept: a ticket is a summary for staff, not a document store. */
export const MAX_DESCRIPTION_LENGTH = 2000;

/** What the complaint dialog collected, plus who is filing. */
export type ComplaintInput = Pick<Ticket,
  'channelId' | 'userId' | 'conversationId' | 'customerId' | 'language' | 'category' | 'description' | 'severity' | 'contact'>;

export interface ComplaintServiceOptions {
  /** Business hours to resolve, per severity (config COMPLAINT_SLA_HOURS_*). */
  slaBusinessHours?: Partial<SlaBusinessHours>;
  /** The clock (tests). */
  now?: () => Date;
}

/**
 * Files complaints and answers "where is my complaint": gives each ticket its reference
 * and its SLA due time in business hours, and shows a ticket only to the one who filed it.
 */
export class ComplaintService {
  private readonly sla: SlaBusinessHours;
  private readonly now: () => Date;

  constructor(private readonly tickets: TicketRepository, private readonly calendar: BusinessCalendar, options: ComplaintServiceOptions = {}) {
    if (!tickets) throw new Error('ComplaintService needs a TicketRepository');
    if (!calendar) throw new Error('ComplaintService needs a BusinessCalendar');
    this.sla = { ...DEFAULT_SLA_BUSINESS_HOURS, ...options.slaBusinessHours };
    for (const severity of SEVERITIES) {
      const hours = this.sla[severity];
      if (!Number.isFinite(hours) || hours <= 0) throw new Error(`ComplaintService: SLA hours for ${severity} must be a positive number, got ${hours}`);
    }
    this.now = options.now ?? (() => new Date());
  }

  /** The time zone references and due times are in. */
  get timeZone(): string {
    return this.calendar.timeZone;
  }

  /** When a complaint of `severity` filed at `filedAt` is due. */
  dueAt(severity: Severity, filedAt: Date): Date {
    return this.calendar.addBusinessMinutes(filedAt, this.sla[severity] * 60);
  }

  /** Opens a ticket; throws AppError 400 when the input is not a complete complaint. */
  async fileComplaint(input: ComplaintInput): Promise<Ticket> {
    validate(input);
    const createdAt = this.now();
    return this.tickets.create({
      channelId: input.channelId,
      userId: input.userId,
      conversationId: input.conversationId,
      ...(input.customerId ? { customerId: input.customerId } : {}),
      language: input.language,
      category: input.category,
      description: input.description.trim(),
      severity: input.severity,
      contact: input.contact,
      status: 'open',
      createdAt,
      slaDueAt: this.dueAt(input.severity, createdAt),
    }, () => generateReference('CMP', createdAt, this.calendar.timeZone));
  }

  /** The ticket, or undefined when it does not exist or someone else filed it (the two look the same). */
  async getStatusForUser(reference: string, channelId: string, userId: string): Promise<Ticket | undefined> {
    if (!reference || !channelId || !userId) return undefined;
    return this.tickets.findForUser(reference.trim().toUpperCase(), channelId, userId);
  }

  /** The user's complaints still being worked, newest first ("我的投诉进度" without a reference). */
  async listOpenForUser(channelId: string, userId: string): Promise<Ticket[]> {
    if (!channelId || !userId) return [];
    return this.tickets.listOpenForUser(channelId, userId);
  }
}

function validate(input: ComplaintInput): void {
  const missing = (['channelId', 'userId', 'conversationId'] as const).filter((k) => !input?.[k]);
  if (missing.length) throw AppError.badRequest('complaint_invalid', `Missing ${missing.join(', ')}`);
  if (!COMPLAINT_CATEGORIES.includes(input.category)) throw AppError.badRequest('complaint_invalid', `Unknown category ${input.category}`);
  if (!SEVERITIES.includes(input.severity)) throw AppError.badRequest('complaint_invalid', `Unknown severity ${input.severity}`);
  if (typeof input.description !== 'string' || !input.description.trim()) throw AppError.badRequest('complaint_invalid', 'A complaint needs a description');
  if ([...input.description.trim()].length > MAX_DESCRIPTION_LENGTH) throw AppError.badRequest('complaint_invalid', `A description has at most ${MAX_DESCRIPTION_LENGTH} characters`);
  // The contact must be one the validator produced, never raw text.
  const contact = input.contact && parseContact(input.contact.value);
  if (!contact || contact.kind !== input.contact.kind) throw AppError.badRequest('complaint_invalid', 'A complaint needs a valid phone number or email');
}
