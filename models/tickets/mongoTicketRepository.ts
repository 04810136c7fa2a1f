import { Schema, type Connection, type Model } from 'mongoose';
import { AppError } from '../../services/appError';
import {
  COMPLAINT_CATEGORIES, OPEN_STATUSES, REFERENCE_ATTEMPTS, SEVERITIES, TICKET_STATUSES,
  type NewTicket, type Ticket, type TicketAnalyticsQueries, type TicketRepository,
} from '../../services/tickets/ticketRepository';
import { isReference } from '../../services/tickets/referenceGenerator';
import { MAX_DESCRIPTION_LENGTH } from '../../services/tickets/complaintService';

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

  async listCreatedBetween(from: Date, to: Date): Promise<Ticket[]> {
    const docs = await this.model.find({ createdAt: { $gte: from, $lt: to } }).sort({ createdAt: 1, reference: 1 }).lean();
    return docs.map(toTicket);
  }
}

function toTicket(doc: Ticket & { _id?: unknown }): Ticket {
  const { _id, customerId, contact, ...rest } = doc;
  return { ...rest, contact: { kind: contact.kind, value: contact.value }, ...(customerId ? { customerId } : {}) };
}
