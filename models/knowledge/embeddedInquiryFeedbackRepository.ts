import type { EmbeddedDatabase } from '../embedded/embeddedDatabase';
import { foldFeedbackCounts, type ArticleFeedbackCount, type InquiryFeedback, type InquiryFeedbackRepository } from '../../services/knowledge/inquiryFeedbackRepository';

/** Inquiry feedback in the embedded database (the default store). */
export class EmbeddedInquiryFeedbackRepository implements InquiryFeedbackRepository {
  constructor(private readonly db: EmbeddedDatabase) {
    if (!db) throw new Error('EmbeddedInquiryFeedbackRepository needs a database');
  }

  async record(feedback: InquiryFeedback): Promise<void> {
    const store = await this.db.collection('inquiryFeedback');
    await store.insertAsync({ ...feedback });
  }

  async countByArticle(since?: Date): Promise<ArticleFeedbackCount[]> {
    const store = await this.db.collection<InquiryFeedback>('inquiryFeedback');
    const docs = await store.findAsync(since ? { createdAt: { $gte: since } } : {});
    return foldFeedbackCounts(docs.map((d) => ({ articleId: d.articleId, helpful: d.helpful, count: 1 })));
  }
}
