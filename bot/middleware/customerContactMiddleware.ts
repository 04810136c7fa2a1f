import { ActivityTypes, type Middleware, type TurnContext } from 'botbuilder';
import type { Logger } from '../logger';
import type { CustomerRepository } from '../../services/customers/customerRepository';

const HOUR_MS = 3600_000;

interface Options {
  /** How long a chat user → customer lookup (or "not linked") is trusted (default 5 minutes). */
  cacheTtlMs?: number;
  /** Chat users and customers remembered at most (least recently used go first; default 10 000). */
  cacheSize?: number;
  /** lastContactAt is written at most once per this interval per customer (default 1 hour). */
  everyMs?: number;
  now?: () => Date;
}

/** A Map kept to `size` entries, dropping the least recently used. */
class Lru<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly size: number) {}
  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) { this.map.delete(key); this.map.set(key, value); }
    return value;
  }
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.size) this.map.delete(this.map.keys().next().value as K);
  }
  delete(key: K): void { this.map.delete(key); }
}

/**
 * Records when a linked client last wrote (`customer.lastContactAt`), for audiences such as
 * "not contacted for 90 days" and the churn signals. Off the turn's path: the write starts
 * after the turn and is not awaited; it happens at most once an hour per customer, and the
 * chat user → customer lookup is cached for a few minutes. A failure is logged, never the turn's.
 */
export class CustomerContactMiddleware implements Middleware {
  private readonly owners: Lru<string, { customerId: string | null; until: number }>;
  private readonly lastWritten: Lru<string, number>;
  private readonly pending = new Set<Promise<void>>();
  private readonly ttl: number;
  private readonly every: number;
  private readonly now: () => Date;

  constructor(private readonly customers: Pick<CustomerRepository, 'findByChannelUser' | 'update'>, private readonly logger: Logger, options: Options = {}) {
    if (!customers) throw new Error('CustomerContactMiddleware needs a CustomerRepository');
    this.ttl = options.cacheTtlMs ?? 5 * 60_000;
    this.every = options.everyMs ?? HOUR_MS;
    this.now = options.now ?? (() => new Date());
    this.owners = new Lru(options.cacheSize ?? 10_000);
    this.lastWritten = new Lru(options.cacheSize ?? 10_000);
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    await next();
    const { activity } = context;
    if (activity.type !== ActivityTypes.Message || !activity.channelId || !activity.from?.id) return;
    const work = this.touch(activity.channelId, activity.from.id).catch((error: Error) => {
      this.logger.warn({ err: { message: error?.message } }, 'last contact not recorded');
    });
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** Waits for the writes in flight (shutdown, tests). */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private async touch(channelId: string, userId: string): Promise<void> {
    const now = this.now();
    const key = `${channelId}:${userId}`;
    let owner = this.owners.get(key);
    if (!owner || owner.until <= now.getTime()) {
      const customer = await this.customers.findByChannelUser(channelId, userId);
      owner = { customerId: customer?.id ?? null, until: now.getTime() + this.ttl };
      this.owners.set(key, owner);
      if (customer?.lastContactAt && this.lastWritten.get(customer.id) === undefined) this.lastWritten.set(customer.id, customer.lastContactAt.getTime());
    }
    if (!owner.customerId) return;
    const last = this.lastWritten.get(owner.customerId);
    if (last !== undefined && now.getTime() - last < this.every) return;
    // Claimed before the write, so the turns of the same hour do not all write.
    this.lastWritten.set(owner.customerId, now.getTime());
    try {
      await this.customers.update(owner.customerId, { lastContactAt: now }, now);
    } catch (error) {
      if (last === undefined) this.lastWritten.delete(owner.customerId); else this.lastWritten.set(owner.customerId, last);
      if ((error as { status?: number }).status === 404) this.owners.delete(key);
      throw error;
    }
  }
}
