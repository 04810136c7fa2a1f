import type { HandoffReason } from './handoffRequester';

/** What the queue knows about a client when it ranks them. */
export interface PriorityInputs {
  /** Customer value tier ('standard' | 'priority' | 'premier'); unknown counts as standard. */
  tier?: string;
  /** A satisfaction score of 1-2 (out of 5) in the recent past. */
  recentLowCsat?: boolean;
  /** Complaints still open for this client. */
  openComplaints?: number;
  /** Complaints past their SLA. */
  overdueComplaints?: number;
  /**
   * The client's stored churn-risk score (0-100, services/analytics/churnRisk.ts). When present
   * it replaces the heuristic of the three fields above.
   */
  churnRisk?: number;
  /** Why the client is asking for a person. */
  reason: HandoffReason;
  /** Seconds the case has waited in the queue so far. */
  waitingSeconds: number;
}

/** The churn component's share of a 0-100 churn-risk score, and its maximum. */
const CHURN_WEIGHT = 0.45;
const MAX_CHURN_POINTS = 45;
const TIER_POINTS: Record<string, number> = { standard: 0, priority: 20, premier: 40 };
const REASON_POINTS: Record<HandoffReason, number> = {
  critical_complaint: 50,
  negative_sentiment: 20,
  repeated_misses: 10,
  unhelpful_answers: 10,
  client_request: 0,
};

/**
 * The one priority function of the handoff queue (higher is served first):
 *
 * `priority = tier + churnRisk + reason + waitingMinutes`, where
 * - tier: standard 0, priority 20, premier 40 (client value);
 * - churnRisk: the stored churn-risk score (0-100) × 0.45, rounded (so at most 45), when the client
 *   has one; else the heuristic: recent low CSAT 15, each open complaint 10 and each overdue one
 *   20 more, capped at 45;
 * - reason: critical complaint 50, negative sentiment 20, repeated misses / unhelpful answers 10, a plain request 0;
 * - waiting: one point per minute waited, so a standard client who has waited 90 minutes
 *   outranks a premier one who just arrived with a critical complaint: nobody waits forever.
 */
export function handoffPriority(inputs: PriorityInputs): number {
  const tier = TIER_POINTS[inputs.tier ?? 'standard'] ?? 0;
  const open = Math.max(0, inputs.openComplaints ?? 0);
  const overdue = Math.max(0, inputs.overdueComplaints ?? 0);
  const churnRisk = typeof inputs.churnRisk === 'number' && Number.isFinite(inputs.churnRisk)
    ? Math.round(Math.min(100, Math.max(0, inputs.churnRisk)) * CHURN_WEIGHT)
    : Math.min(MAX_CHURN_POINTS, (inputs.recentLowCsat ? 15 : 0) + open * 10 + overdue * 20);
  const reason = REASON_POINTS[inputs.reason] ?? 0;
  const waiting = Math.floor(Math.max(0, inputs.waitingSeconds) / 60);
  return tier + churnRisk + reason + waiting;
}
