import type { AuditEvent, AuditEventRepository } from './auditEventRepository';

/** Waits before the second, third … attempt to store an event. */
export const AUDIT_RETRY_DELAYS_MS: readonly number[] = [100, 500, 2000];

export interface RetryingAuditTrailOptions {
  /**
   * Called once with an event the store still refused after every retry, so it is kept elsewhere
   * (the app writes it to the error log in full, where operations can restore it).
   */
  onUnstored: (event: AuditEvent, error: unknown) => void;
  retryDelaysMs?: readonly number[];
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The audit trail staff actions write to. Every action is written after the change it records
 * (a claim, a ticket resolved): a store that fails at that moment must not turn a change that was
 * made into an error for the staff member, who would then retry a change that already happened.
 * So a failed write is retried a few times, and an event the store still refuses goes to
 * `onUnstored` instead of throwing.
 */
export class RetryingAuditTrail implements AuditEventRepository {
  private readonly delays: readonly number[];
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly store: AuditEventRepository, private readonly options: RetryingAuditTrailOptions) {
    if (!store || typeof options?.onUnstored !== 'function') throw new TypeError('RetryingAuditTrail needs a store and onUnstored');
    this.delays = options.retryDelaysMs ?? AUDIT_RETRY_DELAYS_MS;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async add(event: AuditEvent): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.store.add(event);
        return;
      } catch (error) {
        const delay = this.delays[attempt];
        if (delay === undefined) {
          this.options.onUnstored(event, error);
          return;
        }
        await this.sleep(delay);
      }
    }
  }

  list(filter?: Parameters<AuditEventRepository['list']>[0]): Promise<AuditEvent[]> {
    return this.store.list(filter);
  }
}
