import type { Connection } from 'mongoose';
import type { Logger } from './logger';
import type { EmbeddedDatabase } from '../models/embedded/embeddedDatabase';
import { EmbeddedAuditEventRepository } from '../models/audit/embeddedAuditEventRepository';
import { MongoAuditEventRepository } from '../models/audit/mongoAuditEventRepository';
import { RetryingAuditTrail } from '../services/audit/retryingAuditTrail';

/**
 * The audit trail on the configured store (Mongo, else embedded), retried; an event the store
 * still refuses is written in full to the error log, so no staff action goes unrecorded.
 */
export function createAuditTrail(deps: { mongo?: Connection; embedded: EmbeddedDatabase; logger: Logger }): RetryingAuditTrail {
  const store = deps.mongo ? new MongoAuditEventRepository(deps.mongo) : new EmbeddedAuditEventRepository(deps.embedded);
  return new RetryingAuditTrail(store, {
    onUnstored: (event, error) => deps.logger.error({ auditEvent: event, err: { message: (error as Error)?.message } }, 'audit event could not be stored; kept in this log'),
  });
}
