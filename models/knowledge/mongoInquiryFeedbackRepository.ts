import { Schema, type Connection, type Model } from 'mongoose';
import {
  foldFeedbackCounts, unansweredKey,
  type ArticleFeedbackCount, type InquiryFeedback, type InquiryFeedbackAnalyticsQueries, type InquiryFeedbackRepository, type UnansweredInquiry,
} from '../../services/knowledge/inquiryFeedbackRepository';

const inquiryFeedbackSchema = new Schema<InquiryFeedback>({
  question: { type: String, required: true, maxlength: 2000 },
  articleId: { type: String, required: true },
  language: { type: String, required: true, enum: ['zh-CN', 'en'] },
  helpful: { type: Boolean, required: true },
  channelId: { type: String, required: true },
  userId: { type: String, required: true },
  conversationId: { type: String, required: true },
  createdAt: { type: Date, required: true },
}, { versionKey: false });
inquiryFeedbackSchema.index({ articleId: 1, createdAt: 1 });
inquiryFeedbackSchema.index({ channelId: 1, userId: 1, createdAt: 1 });

const unansweredSchema = new Schema<UnansweredInquiry & { key: string }>({
  question: { type: String, required: true, maxlength: 2000 },
  key: { type: String, required: true, maxlength: 2000 },
  language: { type: String, required: true, enum: ['zh-CN', 'en'] },
  channelId: { type: String, required: true },
  userId: { type: String, required: true },
  conversationId: { type: String, required: true },
  createdAt: { type: Date, required: true },
}, { versionKey: false });
unansweredSchema.index({ createdAt: 1 });

/** Inquiry feedback in MongoDB. */
export class MongoInquiryFeedbackRepository implements InquiryFeedbackRepository, InquiryFeedbackAnalyticsQueries {
  private readonly model: Model<InquiryFeedback>;
  private readonly unanswered: Model<UnansweredInquiry & { key: string }>;

  constructor(connection: Connection) {
    if (!connection) throw new Error('MongoInquiryFeedbackRepository needs a connection');
    this.model = connection.models.InquiryFeedback ?? connection.model<InquiryFeedback>('InquiryFeedback', inquiryFeedbackSchema);
    this.unanswered = connection.models.UnansweredInquiry ?? connection.model<UnansweredInquiry & { key: string }>('UnansweredInquiry', unansweredSchema);
  }

  async record(feedback: InquiryFeedback): Promise<void> {
    await this.model.create(feedback);
  }

  async countByArticle(since?: Date): Promise<ArticleFeedbackCount[]> {
    // Grouped on (article, helpful) with a plain $sum: 1 — conditional sums are not something
    // to rely on in FerretDB 1.x — and folded into one row per article here.
    const groups = await this.model.aggregate<{ _id: { articleId: string; helpful: boolean }; count: number }>([
      { $match: since ? { createdAt: { $gte: since } } : {} },
      { $group: { _id: { articleId: '$articleId', helpful: '$helpful' }, count: { $sum: 1 } } },
    ]);
    return foldFeedbackCounts(groups.map((g) => ({ articleId: g._id.articleId, helpful: g._id.helpful, count: g.count })));
  }

  async countHelpful(from: Date, to: Date): Promise<{ helpful: number; notHelpful: number }> {
    const [helpful, notHelpful] = await Promise.all([true, false].map((h) => this.model.countDocuments({ helpful: h, createdAt: { $gte: from, $lt: to } })));
    return { helpful, notHelpful };
  }

  async recordUnanswered(inquiry: UnansweredInquiry): Promise<void> {
    await this.unanswered.create({ ...inquiry, key: unansweredKey(inquiry.question) });
  }

  async topUnanswered(from: Date, to: Date, limit: number): Promise<Array<{ question: string; count: number }>> {
    const groups = await this.unanswered.aggregate<{ _id: string; count: number }>([
      { $match: { createdAt: { $gte: from, $lt: to } } },
      { $group: { _id: '$key', count: { $sum: 1 } } },
    ]);
    return groups.map((g) => ({ question: g._id, count: g.count }))
      .sort((a, b) => b.count - a.count || a.question.localeCompare(b.question)).slice(0, Math.max(0, limit));
  }
}
