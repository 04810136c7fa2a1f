import type Redis from 'ioredis';
import type { Connection } from 'mongoose';
import type { Server } from 'restify';
import type { AppConfig } from '../config';
import type { Logger } from '../logger';
import type { EmbeddedDatabase } from '../../models/embedded/embeddedDatabase';
import { EmbeddedStaffRepository } from '../../models/staff/embeddedStaffRepository';
import { MongoStaffRepository } from '../../models/staff/mongoStaffRepository';
import { EmbeddedLoginAttemptRepository } from '../../models/staff/embeddedLoginAttemptRepository';
import { MongoLoginAttemptRepository } from '../../models/staff/mongoLoginAttemptRepository';
import { EmbeddedSessionStore } from '../../models/staff/embeddedSessionStore';
import { RedisSessionStore } from '../../models/staff/redisSessionStore';
import { EmbeddedAuditEventRepository } from '../../models/audit/embeddedAuditEventRepository';
import { MongoAuditEventRepository } from '../../models/audit/mongoAuditEventRepository';
import type { AuditEventRepository } from '../../services/audit/auditEventRepository';
import type { HandoffDesk } from '../../services/handoff/handoffDesk';
import { StaffService } from '../../services/staff/staffService';
import { registerConsoleRoutes, resolveConsoleSessionSecret } from './consoleRoutes';

/** What the composition root keeps of the console. */
export interface ConsoleParts {
  staffService: StaffService;
  audit: AuditEventRepository;
  /** Creates the first admin from ADMIN_EMAIL/ADMIN_PASSWORD if none exists. */
  start(): Promise<void>;
  /** Ends open event streams. */
  close(): void;
}

/** Builds the staff module (Mongo or embedded; sessions in Redis or embedded) and registers the console routes. */
export function buildConsole(deps: {
  config: AppConfig; logger: Logger; server: Server; redis?: Redis; mongo?: Connection; embedded: EmbeddedDatabase; desk: () => HandoffDesk | undefined;
}): ConsoleParts {
  const { config, logger, server, redis, mongo, embedded } = deps;
  const audit = mongo ? new MongoAuditEventRepository(mongo) : new EmbeddedAuditEventRepository(embedded);
  const staffService = new StaffService({
    staff: mongo ? new MongoStaffRepository(mongo) : new EmbeddedStaffRepository(embedded),
    attempts: mongo ? new MongoLoginAttemptRepository(mongo) : new EmbeddedLoginAttemptRepository(embedded),
    audit, maxFailures: config.CONSOLE_LOGIN_MAX_FAILURES, windowMinutes: config.CONSOLE_LOGIN_WINDOW_MINUTES,
  });
  const sessions = redis ? new RedisSessionStore(redis, `${config.REDIS_KEY_PREFIX}console-session:`) : new EmbeddedSessionStore(embedded);
  const routes = registerConsoleRoutes(server, {
    staff: staffService, sessions, audit, desk: deps.desk, logger,
    sessionSecret: resolveConsoleSessionSecret(config, logger),
    sessionTtlSeconds: config.CONSOLE_SESSION_TTL_SECONDS,
    secureCookies: config.NODE_ENV === 'production',
  });
  return {
    staffService, audit,
    async start() {
      // A weak ADMIN_PASSWORD stops the start: no account with a guessable password is ever created.
      const outcome = await staffService.ensureFirstAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD).catch((error: Error) => {
        throw new Error(`ADMIN_PASSWORD rejected: ${error.message}`);
      });
      if (outcome === 'created') logger.info({ email: config.ADMIN_EMAIL }, 'console: first admin created from ADMIN_EMAIL; remove ADMIN_PASSWORD from the environment');
    },
    close: () => routes.close(),
  };
}
