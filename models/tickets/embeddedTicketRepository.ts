import { AppError } from '../../services/appError';
import type { EmbeddedDatabase } from '../embedded/embeddedDatabase';
import { OPEN_STATUSES, REFERENCE_ATTEMPTS, type NewTicket, type Ticket, type TicketAnalyticsQueries, type TicketRepository } from '../../services/tickets/ticketRepository';

/** Tickets in the embedded database; a unique index on `reference` stands in for Mongo's. */
export class EmbeddedTicketRepository implements TicketRepository, TicketAnalyticsQueries {
  private ready: Promise<void> | undefined;

  constructor(private readonly db: EmbeddedDatabase) {
    if (!db) throw new Error('EmbeddedTicketRepository needs an EmbeddedDatabase');
  }

  async create(ticket: NewTicket, nextReference: () => string): Promise<Ticket> {
    const store = await this.store();
    for (let attempt = 1; attempt <= REFERENCE_ATTEMPTS; attempt++) {
      const stored: Ticket = { ...ticket, reference: nextReference() };
      try {
        await store.insertAsync({ ...stored });
        return stored;
      } catch (error) {
        if ((error as { errorType?: string }).errorType !== 'uniqueViolated') throw error;
      }
    }
    throw AppError.conflict('reference_exhausted', `No free ticket reference after ${REFERENCE_ATTEMPTS} attempts`);
  }

  async findForUser(reference: string, channelId: string, userId: string): Promise<Ticket | undefined> {
    const store = await this.store();
    const doc = await store.findOneAsync({ reference, channelId, userId });
    return doc ? strip(doc) : undefined;
  }

  async listOpenForUser(channelId: string, userId: string): Promise<Ticket[]> {
    const store = await this.store();
    const docs = await store.findAsync({ channelId, userId, status: { $in: [...OPEN_STATUSES] } }).sort({ createdAt: -1 });
    return docs.map(strip);
  }

  async listCreatedBetween(from: Date, to: Date): Promise<Ticket[]> {
    const store = await this.store();
    const docs = await store.findAsync({ createdAt: { $gte: from, $lt: to } }).sort({ createdAt: 1, reference: 1 });
    return docs.map(strip);
  }

  private async store() {
    const store = await this.db.collection<Ticket & { _id?: string }>('tickets');
    this.ready ??= store.ensureIndexAsync({ fieldName: 'reference', unique: true })
      .then(() => store.ensureIndexAsync({ fieldName: 'userId' }));
    await this.ready;
    return store;
  }
}

function strip(doc: Ticket & { _id?: string }): Ticket {
  const { _id, ...ticket } = doc;
  return ticket;
}
