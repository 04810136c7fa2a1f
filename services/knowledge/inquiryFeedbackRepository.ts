import type { Language } from '../i18n/localizer';

/** A client's answer to "Did this answer your question?" after a knowledge-base answer. */
export interface InquiryFeedback {
  /** What the client asked (personal data masked). */
  question: string;
  articleId: string;
  language: Language;
  helpful: boolean;
  channelId: string;
  userId: string;
  conversationId: string;
  createdAt: Date;
}

/** How one article was rated, for the analytics. */
export interface ArticleFeedbackCount {
  articleId: string;
  helpful: number;
  notHelpful: number;
}

/** Persistence port for inquiry feedback (embedded and Mongo implementations). */
export interface InquiryFeedbackRepository {
  record(feedback: InquiryFeedback): Promise<void>;
  /** Helpful / not helpful counts per article (from `since` on, if given), ordered by article id. */
  countByArticle(since?: Date): Promise<ArticleFeedbackCount[]>;
}

/** A question the knowledge base had no answer for (nothing similar enough to suggest). */
export interface UnansweredInquiry {
  /** What the client asked (personal data masked). */
  question: string;
  language: Language;
  channelId: string;
  userId: string;
  conversationId: string;
  createdAt: Date;
}

/** Read-only queries (and the unanswered record) for the relationship analytics; both stores implement them. */
export interface InquiryFeedbackAnalyticsQueries {
  /** Helpful / not helpful answers rated in [from, to). */
  countHelpful(from: Date, to: Date): Promise<{ helpful: number; notHelpful: number }>;
  recordUnanswered(inquiry: UnansweredInquiry): Promise<void>;
  /**
   * The questions asked most often without an answer in [from, to): grouped on the question
   * as stored (trimmed, lower-cased), most frequent first, then alphabetically; at most `limit`.
   */
  topUnanswered(from: Date, to: Date, limit: number): Promise<Array<{ question: string; count: number }>>;
}

/** The key unanswered questions are grouped on: trimmed, whitespace collapsed, lower-cased. */
export function unansweredKey(question: string): string {
  return question.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Folds (articleId, helpful, count) groups into one row per article, ordered by article id. */
export function foldFeedbackCounts(groups: Array<{ articleId: string; helpful: boolean; count: number }>): ArticleFeedbackCount[] {
  const byArticle = new Map<string, ArticleFeedbackCount>();
  for (const { articleId, helpful, count } of groups) {
    const row = byArticle.get(articleId) ?? { articleId, helpful: 0, notHelpful: 0 };
    if (helpful) row.helpful += count;
    else row.notHelpful += count;
    byArticle.set(articleId, row);
  }
  return [...byArticle.values()].sort((a, b) => a.articleId.localeCompare(b.articleId));
}
