/**
 * The real handoff desk (HandoffService on the app's Mongo-wire storage and the Redis event
 * bus, or on an in-memory embedded store and the in-process bus), open at all hours so
 * console tests do not depend on the day they run. The client's channel is a recorder: these
 * tests are about the console, the relay has its own.
 */
import Redis from 'ioredis';
import type { Connection } from 'mongoose';
import { HandoffService, type HandoffChannel } from '../../services/handoff/handoffService';
import { MongoHandoffCaseRepository } from '../../models/handoff/mongoHandoffCaseRepository';
import { InProcessHandoffEventBus, RedisHandoffEventBus, type HandoffEventBus } from '../../services/handoff/handoffEventBus';
import { EmbeddedHandoffCaseRepository } from '../../models/handoff/embeddedHandoffCaseRepository';
import { EmbeddedDatabase } from '../../models/embedded/embeddedDatabase';
import { redisUrl, uniquePrefix } from './services';

export interface AllHoursDesk {
  desk: HandoffService;
  /** Texts the desk sent to clients. */
  sent: string[];
  close(): Promise<void>;
}

/** On Mongo + Redis when `mongo` is given, else embedded (in memory) with the in-process bus. */
export function allHoursDesk(mongo?: Connection): AllHoursDesk {
  const redis = mongo ? new Redis(redisUrl()) : undefined;
  const bus: HandoffEventBus = redis ? new RedisHandoffEventBus(redis, uniquePrefix('handoff-bus')) : new InProcessHandoffEventBus();
  const sent: string[] = [];
  const channel: HandoffChannel = {
    sendToConversation: async (_target, text) => { sent.push(text); },
    sendActivityToConversation: async () => undefined,
  };
  const desk = new HandoffService({
    repository: mongo ? new MongoHandoffCaseRepository(mongo) : new EmbeddedHandoffCaseRepository(new EmbeddedDatabase(null)), bus, channel,
    isStaffAvailableAt: () => true, minutesPerCase: 5, staffOnDuty: 2, maxWaitMinutes: 600, texts: (_l, key) => key,
  });
  return { desk, sent, async close() { await bus.close(); await redis?.quit(); } };
}
