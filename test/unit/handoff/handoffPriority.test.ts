import { handoffPriority, type PriorityInputs } from '../../../services/handoff/handoffPriority';

const base: PriorityInputs = { reason: 'client_request', waitingSeconds: 0 };

describe('handoffPriority', () => {
  test.each<[string, Partial<PriorityInputs>, number]>([
    ['a standard client asking plainly', {}, 0],
    ['an unknown tier', { tier: 'gold' }, 0],
    ['a priority client', { tier: 'priority' }, 20],
    ['a premier client', { tier: 'premier' }, 40],
    ['a recent low CSAT', { recentLowCsat: true }, 15],
    ['one open complaint', { openComplaints: 1 }, 10],
    ['one overdue complaint (also open)', { openComplaints: 1, overdueComplaints: 1 }, 30],
    ['many complaints (churn risk capped)', { recentLowCsat: true, openComplaints: 5, overdueComplaints: 5 }, 45],
    ['a critical complaint', { reason: 'critical_complaint' }, 50],
    ['negative sentiment', { reason: 'negative_sentiment' }, 20],
    ['two misses in a row', { reason: 'repeated_misses' }, 10],
    ['ten minutes waited', { waitingSeconds: 600 }, 10],
    ['59 seconds waited', { waitingSeconds: 59 }, 0],
    ['a churn-risk score of 100 (the maximum 45)', { churnRisk: 100 }, 45],
    ['a churn-risk score of 50 (rounded 22.5)', { churnRisk: 50 }, 23],
    ['a churn-risk score of 0 overrides the heuristic', { churnRisk: 0, recentLowCsat: true, openComplaints: 2 }, 0],
    ['a churn-risk score of 40 with open complaints', { churnRisk: 40, openComplaints: 3, overdueComplaints: 3 }, 18],
    ['a score above 100 is taken as 100', { churnRisk: 250 }, 45],
    ['no score falls back to the heuristic', { churnRisk: undefined, openComplaints: 2 }, 20],
    ['premier, at risk, critical', { tier: 'premier', recentLowCsat: true, openComplaints: 1, reason: 'critical_complaint' }, 115],
  ])('When %s, then the priority is %d', (_name, inputs, expected) => {
    expect(handoffPriority({ ...base, ...inputs })).toBe(expected);
  });

  test('When a standard client has waited long enough, then they outrank a premier client with a critical complaint who just arrived', () => {
    const newcomer = handoffPriority({ tier: 'premier', reason: 'critical_complaint', waitingSeconds: 0 });
    const waiting = handoffPriority({ ...base, waitingSeconds: 91 * 60 });
    expect(waiting).toBeGreaterThan(newcomer);
  });
});
