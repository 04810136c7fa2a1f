/**
 * A stored answer: a score (rating 1-5, NPS 0-10), a choice id, several choice ids, free
 * text, or null when the client skipped the question or never gave a valid answer.
 */
export type SurveyAnswerValue = number | string | string[] | null;

/** Context stored with a response (channel, language, the complaint or callback reference...). */
export type SurveyResponseMeta = Record<string, string | number>;

/** One client's response to one survey. */
export interface SurveyResponseRecord {
  surveyId: string;
  respondentKey: string;
  /** Question id → answer, saved one by one as the client answers. */
  answers: Record<string, SurveyAnswerValue>;
  status: 'in_progress' | 'completed';
  meta: SurveyResponseMeta;
  createdAt: Date;
  updatedAt: Date;
  completedAt?: Date;
}

/**
 * Port for survey responses: one response per (surveyId, respondentKey), enforced by a
 * unique index. Every answer is an atomic upsert of one field, so an answer is saved the
 * moment it is given (the client can leave and resume) and answering again updates the
 * response instead of adding one.
 */
export interface SurveyResponseRepository {
  /** Saves (or replaces) one answer, creating the response if needed; merges `meta` into it. */
  saveAnswer(surveyId: string, respondentKey: string, questionId: string, answer: SurveyAnswerValue, meta?: SurveyResponseMeta, at?: Date): Promise<void>;
  /** The response so far, or undefined. */
  get(surveyId: string, respondentKey: string): Promise<SurveyResponseRecord | undefined>;
  /** Marks the response completed; returns false when there is no response to complete. */
  complete(surveyId: string, respondentKey: string, at?: Date): Promise<boolean>;
  /** Every response to a survey (for reporting), oldest first. */
  listBySurvey(surveyId: string): Promise<SurveyResponseRecord[]>;
}

/** Read-only queries for the relationship analytics (churn risk, campaign results, dashboard); both stores implement them. */
export interface SurveyResponseAnalyticsQueries {
  /** Every response of one respondent (any survey) last updated at or after `since`, oldest first. */
  listByRespondent(respondentKey: string, since: Date): Promise<SurveyResponseRecord[]>;
  /** Every response to a survey, one at a time (in respondent key order), without loading them all. */
  streamBySurvey(surveyId: string): AsyncIterable<SurveyResponseRecord>;
  /** Every response (any survey) last updated in [from, to), one at a time. */
  streamUpdatedBetween(from: Date, to: Date): AsyncIterable<SurveyResponseRecord>;
}

/**
 * Who a response belongs to: the customer when the bank knows them (so one client answering
 * from Teams and Web Chat has one response), else the channel user.
 */
export function respondentKeyFor(channelId: string, userId: string, customerId?: string): string {
  if (customerId) return customerId;
  if (!channelId || !userId) throw new Error('respondentKeyFor needs a channel and user id when the customer is unknown');
  return `${channelId}:${userId}`;
}

/** Field paths are built from question ids; refuse anything that could address another field. */
export function assertSafeFieldName(name: string, what: string): void {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`Unsafe ${what} "${name}": use letters, digits, _ or -`);
}
