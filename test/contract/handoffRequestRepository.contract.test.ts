import { EmbeddedHandoffRequestRepository } from '../../models/handoff/embeddedHandoffRequestRepository';
import { MongoHandoffRequestRepository } from '../../models/handoff/mongoHandoffRequestRepository';
import type { HandoffRequestRepository } from '../../services/handoff/handoffRequestService';
import { HandoffRequestService } from '../../services/handoff/handoffRequestService';
import { storeFactories } from '../support/storeFactories';

const factories = storeFactories<HandoffRequestRepository>(
  (database) => new EmbeddedHandoffRequestRepository(database),
  (connection) => new MongoHandoffRequestRepository(connection),
);

describe.each(factories)('HandoffRequestRepository (%s)', (_name, create) => {
  test('When a client asks for a person twice, then both requests are listed for that conversation in order', async () => {
    const repo = await create();
    const times = [new Date('2026-11-30T02:00:00Z'), new Date('2026-11-30T02:05:00Z'), new Date('2026-11-30T02:06:00Z')];
    const service = new HandoffRequestService(repo, () => times.shift()!);
    await service.requestHandoff({ channelId: 'webchat', conversationId: 'c1', userId: 'u1', language: 'zh-CN', reason: 'client_request' });
    await service.requestHandoff({ channelId: 'webchat', conversationId: 'c1', userId: 'u1', language: 'en', reason: 'critical_complaint', detail: 'CMP-20261130-ABCD' });
    await service.requestHandoff({ channelId: 'webchat', conversationId: 'other', userId: 'u2', language: 'en', reason: 'client_request' });
    const listed = await repo.listByConversation('webchat', 'c1');
    expect(listed.map((r) => [r.reason, r.language, r.detail])).toEqual([
      ['client_request', 'zh-CN', undefined],
      ['critical_complaint', 'en', 'CMP-20261130-ABCD'],
    ]);
    expect(listed[0].requestedAt).toEqual(new Date('2026-11-30T02:00:00Z'));
  });
});
