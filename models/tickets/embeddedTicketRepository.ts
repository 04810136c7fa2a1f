import { AppError } from '../../services/appError';
import type { EmbeddedDatabase } from '../embedded/embeddedDatabase';
import {
  MAX_TICKET_PAGE, OPEN_STATUSES, REFERENCE_ATTEMPTS,
  type NewTicket, type Ticket, type TicketAnalyticsQueries, type TicketListQuery, type TicketRepository, type TicketTransition,
} from '../../services/tickets/ticketRepository';
import { ticketListFilter, transitionUpdate } from './ticketQueries';

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

  async get(reference: string): Promise<Ticket | undefined> {
    const store = await this.store();
    const doc = await store.findOneAsync({ reference });
    return doc ? strip(doc) : undefined;
  }

  async list(query: TicketListQuery): Promise<{ items: Ticket[]; total: number }> {
    const store = await this.store();
    const filter = ticketListFilter(query);
    const offset = Math.max(0, query.offset ?? 0);
    const limit = Math.min(MAX_TICKET_PAGE, Math.max(0, query.limit ?? 50));
    const [docs, total] = await Promise.all([
      limit === 0 ? [] : store.findAsync(filter).sort({ slaDueAt: 1, reference: 1 }).skip(offset).limit(limit),
      store.countAsync(filter),
    ]);
    return { items: docs.map(strip), total };
  }

  async transition(reference: string, change: TicketTransition): Promise<Ticket | undefined> {
    const store = await this.store();
    // NeDB runs one operation at a time, so the status guard and the write are one step here.
    const { set, unset } = transitionUpdate(change);
    const { affectedDocuments } = await store.updateAsync(
      { reference, status: change.from },
      { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}), $push: { history: change.event } },
      { returnUpdatedDocs: true },
    );
    const doc = Array.isArray(affectedDocuments) ? affectedDocuments[0] : affectedDocuments;
    return doc ? strip(doc as Ticket & { _id?: string }) : undefined;
  }

  async recordNotification(reference: string, eventId: string, outcome: { clientNotified: boolean; notificationError?: string }): Promise<boolean> {
    const store = await this.store();
    const doc = await store.findOneAsync({ reference });
    const index = doc?.history?.findIndex((e) => e.id === eventId) ?? -1;
    if (index < 0) return false;
    const fields: Record<string, unknown> = { [`history.${index}.clientNotified`]: outcome.clientNotified };
    if (outcome.notificationError) fields[`history.${index}.notificationError`] = outcome.notificationError;
    // Guarded by the event id at that index: history only grows, so the index stays the event's.
    const { numAffected } = await store.updateAsync({ reference, [`history.${index}.id`]: eventId }, { $set: fields });
    return numAffected === 1;
  }

  async listCreatedBetween(from: Date, to: Date): Promise<Ticket[]> {
    const store = await this.store();
    const docs = await store.findAsync({ createdAt: { $gte: from, $lt: to } }).sort({ createdAt: 1, reference: 1 });
    return docs.map(strip);
  }

  private async store() {
    const store = await this.db.collection<Ticket & { _id?: string }>('tickets');
    this.ready ??= store.ensureIndexAsync({ fieldName: 'reference', unique: true })
      .then(() => store.ensureIndexAsync({ fieldName: 'userId' }))
      .then(() => store.ensureIndexAsync({ fieldName: 'slaDueAt' }));
    await this.ready;
    return store;
  }
}

function strip(doc: Ticket & { _id?: string }): Ticket {
  const { _id, ...ticket } = doc;
  return ticket;
}
