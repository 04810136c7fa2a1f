import { Schema, type Connection, type Model } from 'mongoose';
import { foldFeedbackCounts, type ArticleFeedbackCount, type InquiryFeedback, type InquiryFeedbackRepository } from '../../services/knowledge/inquiryFeedbackRepository';

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

/** Inquiry feedback in MongoDB. */
export class MongoInquiryFeedbackRepository implements InquiryFeedbackRepository {
  private readonly model: Model<InquiryFeedback>;

  constructor(connection: Connection) {
    if (!connection) throw new Error('MongoInquiryFeedbackRepository needs a connection');
    this.model = connection.models.InquiryFeedback ?? connection.model<InquiryFeedback>('InquiryFeedback', inquiryFeedbackSchema);
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
}
