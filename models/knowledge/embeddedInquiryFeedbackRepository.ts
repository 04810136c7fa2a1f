import type { EmbeddedDatabase } from '../embedded/embeddedDatabase';
import {
  foldFeedbackCounts, unansweredKey,
  type ArticleFeedbackCount, type InquiryFeedback, type InquiryFeedbackAnalyticsQueries, type InquiryFeedbackRepository, type UnansweredInquiry,
} from '../../services/knowledge/inquiryFeedbackRepository';

/** Inquiry feedback in the embedded database (the default store). */
export class EmbeddedInquiryFeedbackRepository implements InquiryFeedbackRepository, InquiryFeedbackAnalyticsQueries {
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

  async countHelpful(from: Date, to: Date): Promise<{ helpful: number; notHelpful: number }> {
    const store = await this.db.collection<InquiryFeedback>('inquiryFeedback');
    const [helpful, notHelpful] = await Promise.all([true, false].map((h) => store.countAsync({ helpful: h, createdAt: { $gte: from, $lt: to } })));
    return { helpful, notHelpful };
  }

  async recordUnanswered(inquiry: UnansweredInquiry): Promise<void> {
    const store = await this.db.collection('unansweredInquiries');
    await store.insertAsync({ ...inquiry, key: unansweredKey(inquiry.question) });
  }

  async topUnanswered(from: Date, to: Date, limit: number): Promise<Array<{ question: string; count: number }>> {
    const store = await this.db.collection<UnansweredInquiry & { key: string }>('unansweredInquiries');
    const docs = await store.findAsync({ createdAt: { $gte: from, $lt: to } });
    const counts = new Map<string, number>();
    for (const d of docs) counts.set(d.key, (counts.get(d.key) ?? 0) + 1);
    return [...counts].map(([question, count]) => ({ question, count }))
      .sort((a, b) => b.count - a.count || a.question.localeCompare(b.question)).slice(0, Math.max(0, limit));
  }
}
