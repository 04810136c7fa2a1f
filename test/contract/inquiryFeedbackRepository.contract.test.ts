import { EmbeddedInquiryFeedbackRepository } from '../../models/knowledge/embeddedInquiryFeedbackRepository';
import { MongoInquiryFeedbackRepository } from '../../models/knowledge/mongoInquiryFeedbackRepository';
import type { InquiryFeedbackRepository } from '../../services/knowledge/inquiryFeedbackRepository';
import { InquiryFeedbackService } from '../../services/knowledge/inquiryFeedbackService';
import { storeFactories } from '../support/storeFactories';

const factories = storeFactories<InquiryFeedbackRepository>(
  (database) => new EmbeddedInquiryFeedbackRepository(database),
  (connection) => new MongoInquiryFeedbackRepository(connection),
);

const base = { language: 'zh-CN' as const, channelId: 'webchat', userId: 'u1', conversationId: 'c1' };

describe.each(factories)('InquiryFeedbackRepository (%s)', (_name, create) => {
  test('When answers are rated, then the counts per article add up helpful and not helpful', async () => {
    const repo = await create();
    const times = ['2026-11-28T01:00:00Z', '2026-11-28T02:00:00Z', '2026-11-29T01:00:00Z', '2026-11-29T02:00:00Z'].map((t) => new Date(t));
    const service = new InquiryFeedbackService(repo, () => times.shift()!);
    await service.record({ ...base, question: '利率多少', articleId: 'interest-rates', helpful: true });
    await service.record({ ...base, question: '利率怎么定', articleId: 'interest-rates', helpful: false });
    await service.record({ ...base, question: 'U盾丢了', articleId: 'lost-token-or-card', helpful: true });
    await service.record({ ...base, question: 'rates?', articleId: 'interest-rates', helpful: true, language: 'en' });
    expect(await repo.countByArticle()).toEqual([
      { articleId: 'interest-rates', helpful: 2, notHelpful: 1 },
      { articleId: 'lost-token-or-card', helpful: 1, notHelpful: 0 },
    ]);
    expect(await repo.countByArticle(new Date('2026-11-29T00:00:00Z'))).toEqual([
      { articleId: 'interest-rates', helpful: 1, notHelpful: 0 },
      { articleId: 'lost-token-or-card', helpful: 1, notHelpful: 0 },
    ]);
  });

  test('When nothing was rated, then there are no counts', async () => {
    const repo = await create();
    expect(await repo.countByArticle()).toEqual([]);
  });
});

describe('InquiryFeedbackService', () => {
  test('When a question contains a card number, then it is stored masked', async () => {
    const stored: unknown[] = [];
    const service = new InquiryFeedbackService({ record: async (f) => { stored.push(f); }, countByArticle: async () => [] }, () => new Date('2026-11-29T00:00:00Z'));
    await service.record({ ...base, question: '卡号6222021234567890123丢了', articleId: 'lost-token-or-card', helpful: false });
    expect(JSON.stringify(stored)).not.toContain('6222021234567890123');
    expect(stored[0]).toMatchObject({ question: expect.stringContaining('0123'), createdAt: new Date('2026-11-29T00:00:00Z') });
  });
});
