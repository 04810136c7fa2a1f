import type { EmbeddedDatabase } from '../embedded/embeddedDatabase';
import type { NegativeToneEvent, NegativeToneEventRepository } from '../../services/analytics/negativeToneEvents';

/** Negative-tone events in the embedded database. */
export class EmbeddedNegativeToneEventRepository implements NegativeToneEventRepository {
  private ready: Promise<void> | undefined;

  constructor(private readonly db: EmbeddedDatabase) {
    if (!db) throw new Error('EmbeddedNegativeToneEventRepository needs a database');
  }

  async record(event: NegativeToneEvent): Promise<void> {
    await (await this.store()).insertAsync({ ...event });
  }

  async listSince(customerId: string, since: Date): Promise<Date[]> {
    const docs = await (await this.store()).findAsync({ customerId, at: { $gte: since } }).sort({ at: 1 });
    return docs.map((d) => new Date(d.at));
  }

  private async store() {
    const store = await this.db.collection<NegativeToneEvent>('negativeToneEvents');
    this.ready ??= store.ensureIndexAsync({ fieldName: 'customerId' });
    await this.ready;
    return store;
  }
}
