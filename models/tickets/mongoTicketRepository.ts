import { Schema, type Connection, type Model } from 'mongoose';
import { AppError } from '../../services/appError';
import {
  COMPLAINT_CATEGORIES, MAX_TICKET_PAGE, OPEN_STATUSES, REFERENCE_ATTEMPTS, SEVERITIES, TICKET_STATUSES,
  type NewTicket, type Ticket, type TicketAnalyticsQueries, type TicketEvent, type TicketListQuery, type TicketRepository, type TicketTransition,
} from '../../services/tickets/ticketRepository';
import { ticketListFilter, transitionUpdate } from './ticketQueries';
import { isReference } from '../../services/tickets/referenceGenerator';
import { MAX_DESCRIPTION_LENGTH } from '../../services/tickets/complaintService';

const actorSchema = new Schema({
  staffId: { type: String, required: true },
  displayName: { type: String, required: true },
}, { _id: false });

const eventSchema = new Schema<TicketEvent>({
  id: { type: String, required: true },
  at: { type: Date, required: true },
  by: { type: actorSchema, required: true },
  from: { type: String, required: true, enum: TICKET_STATUSES },
  to: { type: String, required: true, enum: TICKET_STATUSES },
  note: { type: String },
  clientNotified: { type: Boolean },
  notificationError: { type: String },
}, { _id: false });

const ticketSchema = new Schema<Ticket>({
  reference: { type: String, required: true, validate: { validator: (v: string) => isReference(v, 'CMP'), message: 'reference must look like CMP-YYYYMMDD-XXXX' } },
  channelId: { type: String, required: true },
  userId: { type: String, required: true },
  conversationId: { type: String, required: true },
  customerId: { type: String },
  language: { type: String, required: true, enum: ['zh-CN', 'en'] },
  category: { type: String, required: true, enum: COMPLAINT_CATEGORIES },
  description: { type: String, required: true, trim: true, minlength: 1, maxlength: MAX_DESCRIPTION_LENGTH * 2 },
  severity: { type: String, required: true, enum: SEVERITIES },
  contact: {
    type: new Schema({
      kind: { type: String, required: true, enum: ['mobile', 'landline', 'international', 'email'] },
      value: { type: String, required: true },
    }, { _id: false }),
    required: true,
  },
  status: { type: String, required: true, enum: TICKET_STATUSES, default: 'open' },
  createdAt: { type: Date, required: true },
  slaDueAt: { type: Date, required: true },
  assignee: { type: actorSchema },
  resolvedAt: { type: Date },
  closedAt: { type: Date },
  resolutionNote: { type: String },
  // No default: a ticket nobody has worked has no history field at all.
  history: { type: [eventSchema], default: undefined },
  updatedAt: { type: Date },
}, { versionKey: false });
ticketSchema.index({ reference: 1 }, { unique: true });
ticketSchema.index({ channelId: 1, userId: 1, createdAt: -1 });
// Staff work the queue by due time.
ticketSchema.index({ status: 1, slaDueAt: 1 });
// The dashboard reads complaints by filing date.
ticketSchema.index({ createdAt: 1 });

/** Tickets in MongoDB; uniqueness of references comes from the unique index (E11000 → next reference). */
export class MongoTicketRepository implements TicketRepository, TicketAnalyticsQueries {
  private readonly model: Model<Ticket>;
  private readonly indexed: Promise<unknown>;

  constructor(connection: Connection) {
    if (!connection) throw new Error('MongoTicketRepository needs a mongoose connection');
    this.model = connection.models.Ticket ?? connection.model<Ticket>('Ticket', ticketSchema);
    // The unique index must exist before the first insert, or a collision would go unnoticed.
    this.indexed = this.model.init();
    // Reported to the first create() that awaits it; not an unhandled rejection at start.
    this.indexed.catch(() => undefined);
  }

  async create(ticket: NewTicket, nextReference: () => string): Promise<Ticket> {
    await this.indexed;
    for (let attempt = 1; attempt <= REFERENCE_ATTEMPTS; attempt++) {
      const reference = nextReference();
      try {
        const created = await this.model.create({ ...ticket, reference });
        return toTicket(created.toObject());
      } catch (error) {
        if ((error as { code?: number }).code !== 11000) throw error;
      }
    }
    throw AppError.conflict('reference_exhausted', `No free ticket reference after ${REFERENCE_ATTEMPTS} attempts`);
  }

  async findForUser(reference: string, channelId: string, userId: string): Promise<Ticket | undefined> {
    const doc = await this.model.findOne({ reference, channelId, userId }).lean();
    return doc ? toTicket(doc) : undefined;
  }

  async listOpenForUser(channelId: string, userId: string): Promise<Ticket[]> {
    const docs = await this.model.find({ channelId, userId, status: { $in: [...OPEN_STATUSES] } }).sort({ createdAt: -1 }).lean();
    return docs.map(toTicket);
  }

  async get(reference: string): Promise<Ticket | undefined> {
    const doc = await this.model.findOne({ reference }).lean();
    return doc ? toTicket(doc) : undefined;
  }

  async list(query: TicketListQuery): Promise<{ items: Ticket[]; total: number }> {
    const filter = ticketListFilter(query);
    const offset = Math.max(0, query.offset ?? 0);
    const limit = Math.min(MAX_TICKET_PAGE, Math.max(0, query.limit ?? 50));
    const [docs, total] = await Promise.all([
      limit === 0 ? [] : this.model.find(filter).sort({ slaDueAt: 1, reference: 1 }).skip(offset).limit(limit).lean(),
      this.model.countDocuments(filter),
    ]);
    return { items: docs.map(toTicket), total };
  }

  /**
   * One conditional update guarded by the expected current status. On MongoDB that is atomic.
   * Known limitation: on FerretDB 1.x (the test server) a guarded single-document update is a
   * read then a write, so two staff moving the same ticket at the same instant can both pass
   * the guard and the later write wins (both history events are pushed). The window is a few
   * milliseconds of two people clicking on one ticket; production runs MongoDB.
   */
  async transition(reference: string, change: TicketTransition): Promise<Ticket | undefined> {
    const { set, unset } = transitionUpdate(change);
    const doc = await this.model.findOneAndUpdate(
      { reference, status: change.from },
      { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}), $push: { history: change.event } },
      { returnDocument: 'after', runValidators: true, lean: true },
    );
    return doc ? toTicket(doc as Ticket & { _id?: unknown }) : undefined;
  }

  async recordNotification(reference: string, eventId: string, outcome: { clientNotified: boolean; notificationError?: string }): Promise<boolean> {
    const doc = await this.model.findOne({ reference }, { history: 1 }).lean();
    const index = doc?.history?.findIndex((e) => e.id === eventId) ?? -1;
    if (index < 0) return false;
    // By index rather than the positional `$`: FerretDB 1.x does not support `history.$`.
    // Guarded by the event id at that index; history only grows, so the index stays the event's.
    const fields: Record<string, unknown> = { [`history.${index}.clientNotified`]: outcome.clientNotified };
    if (outcome.notificationError) fields[`history.${index}.notificationError`] = outcome.notificationError;
    const result = await this.model.updateOne({ reference, [`history.${index}.id`]: eventId }, { $set: fields });
    return result.matchedCount === 1;
  }

  async listCreatedBetween(from: Date, to: Date): Promise<Ticket[]> {
    const docs = await this.model.find({ createdAt: { $gte: from, $lt: to } }).sort({ createdAt: 1, reference: 1 }).lean();
    return docs.map(toTicket);
  }
}

function toTicket(doc: Ticket & { _id?: unknown }): Ticket {
  const { _id, customerId, contact, assignee, history, ...rest } = doc;
  return {
    ...rest,
    contact: { kind: contact.kind, value: contact.value },
    ...(customerId ? { customerId } : {}),
    ...(assignee ? { assignee: { staffId: assignee.staffId, displayName: assignee.displayName } } : {}),
    ...(history?.length ? { history: history.map(toEvent) } : {}),
  };
}

function toEvent(event: TicketEvent): TicketEvent {
  const { id, at, by, from, to, note, clientNotified, notificationError } = event;
  return {
    id, at, by: { staffId: by.staffId, displayName: by.displayName }, from, to,
    ...(note !== undefined && note !== null ? { note } : {}),
    ...(typeof clientNotified === 'boolean' ? { clientNotified } : {}),
    ...(notificationError ? { notificationError } : {}),
  };
}
