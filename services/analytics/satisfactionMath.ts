/** CSAT and NPS summaries, shared by campaign results, breakdowns and the dashboard. */

export interface CsatSummary {
  /** Answers per score "1".."5". */
  distribution: Record<'1' | '2' | '3' | '4' | '5', number>;
  /** Mean score, 2 decimals. */
  mean: number;
  count: number;
}

export interface NpsSummary {
  /** % promoters (9-10) − % detractors (0-6), rounded to a whole number (−100..100). */
  score: number;
  promoters: number;
  passives: number;
  detractors: number;
  count: number;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Summary of CSAT scores (integers 1-5; anything else is ignored); null when there are none. */
export function csatSummary(scores: Iterable<number>): CsatSummary | null {
  const distribution = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 } as Record<string, number>;
  let sum = 0;
  let count = 0;
  for (const score of scores) {
    if (!Number.isInteger(score) || score < 1 || score > 5) continue;
    distribution[String(score)] += 1;
    sum += score;
    count += 1;
  }
  if (count === 0) return null;
  return { distribution: distribution as CsatSummary['distribution'], mean: round(sum / count, 2), count };
}

/** Summary of NPS answers (integers 0-10; anything else is ignored); null when there are none. */
export function npsSummary(scores: Iterable<number>): NpsSummary | null {
  let promoters = 0;
  let passives = 0;
  let detractors = 0;
  for (const score of scores) {
    if (!Number.isInteger(score) || score < 0 || score > 10) continue;
    if (score >= 9) promoters += 1;
    else if (score >= 7) passives += 1;
    else detractors += 1;
  }
  const count = promoters + passives + detractors;
  if (count === 0) return null;
  // +0 turns a -0 into 0.
  return { score: Math.round(((promoters - detractors) / count) * 100) + 0, promoters, passives, detractors, count };
}
