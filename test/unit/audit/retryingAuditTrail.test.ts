/**
 * The audit trail staff actions write to after their change: a store that fails for a moment is
 * retried, one that stays down hands the event to `onUnstored` (the app's error log) instead of
 * failing the staff member's request. The store is the real embedded one; only its availability
 * is switched.
 */
import { EmbeddedDatabase } from '../../../models/embedded/embeddedDatabase';
import { EmbeddedAuditEventRepository } from '../../../models/audit/embeddedAuditEventRepository';
import type { AuditEvent, AuditEventRepository } from '../../../services/audit/auditEventRepository';
import { AUDIT_RETRY_DELAYS_MS, RetryingAuditTrail } from '../../../services/audit/retryingAuditTrail';

/** The embedded store, refusing the next `failures` writes. */
class FlakyStore implements AuditEventRepository {
  readonly real = new EmbeddedAuditEventRepository(new EmbeddedDatabase(null));
  writes = 0;
  constructor(public failures: number) {}
  async add(event: AuditEvent): Promise<void> {
    this.writes += 1;
    if (this.failures > 0) { this.failures -= 1; throw new Error('store unavailable'); }
    await this.real.add(event);
  }
  list(filter?: Parameters<AuditEventRepository['list']>[0]) { return this.real.list(filter); }
}

const event = (): AuditEvent => ({ type: 'ticket.status', at: new Date('2026-11-30T02:00:00Z'), staffId: 'staff-1', detail: { reference: 'CMP-20261130-AB7K', from: 'open', to: 'resolved' } });

function trail(store: AuditEventRepository) {
  const unstored: Array<{ event: AuditEvent; error: unknown }> = [];
  const waited: number[] = [];
  const audit = new RetryingAuditTrail(store, {
    onUnstored: (e, error) => unstored.push({ event: e, error }),
    sleep: async (ms) => { waited.push(ms); },
  });
  return { audit, unstored, waited };
}

describe('RetryingAuditTrail', () => {
  test('When the store refuses twice and then works, then the event is stored once after two waits and nothing is handed over', async () => {
    const store = new FlakyStore(2);
    const { audit, unstored, waited } = trail(store);
    await audit.add(event());
    expect(await store.list()).toEqual([expect.objectContaining({ type: 'ticket.status', staffId: 'staff-1' })]);
    expect(waited).toEqual(AUDIT_RETRY_DELAYS_MS.slice(0, 2));
    expect(unstored).toEqual([]);
  });

  test('When the store stays down, then add still resolves, every retry is tried, and the event goes to onUnstored once with the error', async () => {
    const store = new FlakyStore(Number.POSITIVE_INFINITY);
    const { audit, unstored, waited } = trail(store);
    await expect(audit.add(event())).resolves.toBeUndefined();
    expect(store.writes).toBe(AUDIT_RETRY_DELAYS_MS.length + 1);
    expect(waited).toEqual([...AUDIT_RETRY_DELAYS_MS]);
    expect(unstored).toHaveLength(1);
    expect(unstored[0].event).toEqual(event());
    expect((unstored[0].error as Error).message).toBe('store unavailable');
    expect(await store.real.list()).toEqual([]);
  });

  test('When the store works, then the event is stored at once and listing reads the store', async () => {
    const store = new FlakyStore(0);
    const { audit, waited } = trail(store);
    await audit.add(event());
    await audit.add({ ...event(), type: 'claim', caseId: 'case-1' });
    expect(waited).toEqual([]);
    expect((await audit.list({ type: 'claim' })).map((e) => e.caseId)).toEqual(['case-1']);
  });

  test('When it is built without a store or onUnstored, then it refuses to start', () => {
    expect(() => new RetryingAuditTrail(undefined as never, { onUnstored: () => undefined })).toThrow(TypeError);
    expect(() => new RetryingAuditTrail(new FlakyStore(0), {} as never)).toThrow(TypeError);
  });
});
