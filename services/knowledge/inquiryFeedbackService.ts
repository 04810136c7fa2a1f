import { maskPii } from '../privacy/piiMasker';
import type { ArticleFeedbackCount, InquiryFeedback, InquiryFeedbackAnalyticsQueries, InquiryFeedbackRepository, UnansweredInquiry } from './inquiryFeedbackRepository';

/** A question longer than this is cut: the analytics need the gist, not a pasted document. */
const MAX_QUESTION_LENGTH = 500;

/**
 * Records whether a knowledge-base answer helped. The question is stored masked (clients
 * sometimes paste a card or ID number into a question) and stamped with the time.
 */
export class InquiryFeedbackService {
  constructor(private readonly repository: InquiryFeedbackRepository, private readonly now: () => Date = () => new Date()) {
    if (!repository) throw new Error('InquiryFeedbackService needs a repository');
  }

  async record(feedback: Omit<InquiryFeedback, 'createdAt'>): Promise<void> {
    await this.repository.record({ ...feedback, question: maskPii(feedback.question).slice(0, MAX_QUESTION_LENGTH), createdAt: this.now() });
  }

  /**
   * Records a question the knowledge base found nothing for (masked and cut like feedback), for
   * the dashboard's top unanswered questions. A repository without the analytics queries skips it.
   */
  async recordUnanswered(inquiry: Omit<UnansweredInquiry, 'createdAt'>): Promise<void> {
    const repository = this.repository as InquiryFeedbackRepository & Partial<InquiryFeedbackAnalyticsQueries>;
    if (!repository.recordUnanswered || !inquiry.question?.trim()) return;
    await repository.recordUnanswered({ ...inquiry, question: maskPii(inquiry.question).slice(0, MAX_QUESTION_LENGTH), createdAt: this.now() });
  }

  countByArticle(since?: Date): Promise<ArticleFeedbackCount[]> {
    return this.repository.countByArticle(since);
  }
}
