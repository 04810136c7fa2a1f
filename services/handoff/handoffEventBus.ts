import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';
import type { HandoffEvent } from './handoffDesk';

/** Carries handoff events to every listener, in this process or (Redis) in all bot processes. */
export interface HandoffEventBus {
  publish(event: HandoffEvent): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(listener: (event: HandoffEvent) => void): () => void;
  close(): Promise<void>;
}

/** The embedded default: listeners in this process only. A throwing listener never breaks the publisher. */
export class InProcessHandoffEventBus implements HandoffEventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish(event: HandoffEvent): Promise<void> {
    for (const listener of this.emitter.listeners('event')) {
      try { (listener as (e: HandoffEvent) => void)(event); } catch { /* a listener's failure is its own */ }
    }
  }

  subscribe(listener: (event: HandoffEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => { this.emitter.off('event', listener); };
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

const DATE_FIELDS = new Set(['queuedAt', 'claimedAt', 'endedAt', 'at']);

/** JSON has no dates: the case and message timestamps come back as ISO strings. */
function revive(_key: string, value: unknown): unknown {
  return DATE_FIELDS.has(_key) && typeof value === 'string' ? new Date(value) : value;
}

/**
 * Redis pub/sub across bot processes. Publishing uses the shared connection; subscribing
 * needs a connection of its own (a subscribed Redis connection can issue no other command),
 * opened on the first subscriber.
 */
export class RedisHandoffEventBus implements HandoffEventBus {
  private readonly local = new InProcessHandoffEventBus();
  private subscriber: Redis | undefined;
  private ready: Promise<unknown> | undefined;
  private readonly channel: string;

  constructor(private readonly redis: Redis, keyPrefix: string, private readonly onError: (error: Error) => void = () => undefined) {
    if (!redis) throw new TypeError('RedisHandoffEventBus needs a Redis connection');
    this.channel = `${keyPrefix}handoff:events`;
  }

  async publish(event: HandoffEvent): Promise<void> {
    await this.redis.publish(this.channel, JSON.stringify(event));
  }

  subscribe(listener: (event: HandoffEvent) => void): () => void {
    this.open();
    return this.local.subscribe(listener);
  }

  /** Resolves once the subscription is live (tests wait for it before publishing). */
  async whenSubscribed(): Promise<void> {
    this.open();
    await this.ready;
  }

  async close(): Promise<void> {
    await this.local.close();
    if (this.subscriber) await this.subscriber.quit().catch(() => this.subscriber?.disconnect());
  }

  private open(): void {
    if (this.subscriber) return;
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('error', (error) => this.onError(error));
    this.subscriber.on('message', (channel: string, raw: string) => {
      if (channel !== this.channel) return;
      try {
        void this.local.publish(JSON.parse(raw, revive) as HandoffEvent);
      } catch (error) {
        this.onError(error as Error);
      }
    });
    this.ready = this.subscriber.subscribe(this.channel);
  }
}
