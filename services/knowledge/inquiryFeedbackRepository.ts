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
