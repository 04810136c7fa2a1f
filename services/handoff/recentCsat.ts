import type { SurveyResponseRepository } from '../surveys/surveyResponseRepository';

/** The satisfaction questions the handoff desk reads: CSAT ratings (1-5) and the NPS score (0-10). */
export const SATISFACTION_QUESTIONS: ReadonlyArray<{ surveyId: string; questionId: string; kind: 'csat' | 'nps' }> = [
  { surveyId: 'quick-csat', questionId: 'ease', kind: 'csat' },
  { surveyId: 'service-satisfaction', questionId: 'overall', kind: 'csat' },
  { surveyId: 'service-satisfaction', questionId: 'recommend', kind: 'nps' },
];

/** How far back a satisfaction answer still counts as "recent". */
export const RECENT_CSAT_DAYS = 90;

/** One satisfaction score a client gave. */
export interface SatisfactionAnswer {
  surveyId: string;
  questionId: string;
  kind: 'csat' | 'nps';
  score: number;
  at: Date;
}

/**
 * The client's satisfaction scores of the last `days` days, newest first. One response is kept
 * per survey and respondent, so each survey gives at most its latest answer per question.
 */
export async function recentSatisfaction(
  responses: SurveyResponseRepository, respondentKey: string, now: Date, days = RECENT_CSAT_DAYS,
): Promise<SatisfactionAnswer[]> {
  const since = now.getTime() - days * 24 * 60 * 60 * 1000;
  const surveyIds = [...new Set(SATISFACTION_QUESTIONS.map((q) => q.surveyId))];
  const records = await Promise.all(surveyIds.map((id) => responses.get(id, respondentKey)));
  const answers: SatisfactionAnswer[] = [];
  records.forEach((record) => {
    if (!record) return;
    const at = new Date(record.completedAt ?? record.updatedAt);
    if (Number.isNaN(at.getTime()) || at.getTime() < since || at.getTime() > now.getTime()) return;
    for (const question of SATISFACTION_QUESTIONS) {
      if (question.surveyId !== record.surveyId) continue;
      const score = record.answers[question.questionId];
      if (typeof score === 'number' && Number.isFinite(score)) answers.push({ ...question, score, at });
    }
  });
  return answers.sort((a, b) => b.at.getTime() - a.at.getTime());
}

/** Low satisfaction: a CSAT of 2 or less, or an NPS of 6 or less (a detractor). */
export function isLowSatisfaction(answer: Pick<SatisfactionAnswer, 'kind' | 'score'>): boolean {
  return answer.kind === 'nps' ? answer.score <= 6 : answer.score <= 2;
}
