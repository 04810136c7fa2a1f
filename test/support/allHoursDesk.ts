/**
 * The real handoff desk (HandoffService on the app's Mongo-wire storage and the Redis event
 * bus), open at all hours so console tests do not depend on the day they run. The client's
 * channel is a recorder: these tests are about the console, the relay has its own.
 */
import Redis from 'ioredis';
import type { Connection } from 'mongoose';
import { HandoffService, type HandoffChannel } from '../../services/handoff/handoffService';
import { MongoHandoffCaseRepository } from '../../models/handoff/mongoHandoffCaseRepository';
import { RedisHandoffEventBus } from '../../services/handoff/handoffEventBus';
import { redisUrl, uniquePrefix } from './services';

export interface AllHoursDesk {
  desk: HandoffService;
  /** Texts the desk sent to clients. */
  sent: string[];
  close(): Promise<void>;
}

export function allHoursDesk(mongo: Connection): AllHoursDesk {
  const redis = new Redis(redisUrl());
  const bus = new RedisHandoffEventBus(redis, uniquePrefix('handoff-bus'));
  const sent: string[] = [];
  const channel: HandoffChannel = {
    sendToConversation: async (_target, text) => { sent.push(text); },
    sendActivityToConversation: async () => undefined,
  };
  const desk = new HandoffService({
    repository: new MongoHandoffCaseRepository(mongo), bus, channel,
    isStaffAvailableAt: () => true, minutesPerCase: 5, staffOnDuty: 2, maxWaitMinutes: 600, texts: (_l, key) => key,
  });
  return { desk, sent, async close() { await bus.close(); await redis.quit(); } };
}
