/**
 * The service dashboard (docs/CAMPAIGNS.md "Dashboard"): satisfaction over time, complaints by
 * category and SLA status, callbacks kept and missed, whether knowledge-base answers helped,
 * and the questions it could not answer, for a date range.
 */
import { DateTime } from 'luxon';
import { AppError } from '../appError';
import { COMPLAINT_CATEGORIES, OPEN_STATUSES, type ComplaintCategory, type Ticket, type TicketAnalyticsQueries } from '../tickets/ticketRepository';
import type { CallbackAnalyticsQueries } from '../callbacks/callbackRepository';
import type { SurveyResponseAnalyticsQueries } from '../surveys/surveyResponseRepository';
import type { InquiryFeedbackAnalyticsQueries } from '../knowledge/inquiryFeedbackRepository';
import { DEFAULT_CALLBACK_GRACE_MINUTES, isMissedCallback } from './churnRisk';
import { csatSummary, npsSummary } from './satisfactionMath';
import { satisfactionOf, type SurveyDefinitionResolver } from './surveyQuestions';

export const DEFAULT_DASHBOARD_WEEKS = 12;
/** The longest range one request may cover. */
export const MAX_DASHBOARD_DAYS = 2 * 366;
export const TOP_UNANSWERED = 10;
/** An open complaint with this share of its SLA time or less left is at risk. */
export const AT_RISK_SHARE = 0.25;

export interface ServiceDashboard {
  from: string;
  to: string;
  /** Every ISO week (business time zone) the range touches, oldest first; mean/score null in a week without answers. */
  csatOverTime: Array<{ week: string; mean: number | null; count: number }>;
  npsOverTime: Array<{ week: string; score: number | null; count: number }>;
  /** Complaints filed in the range, every category in its fixed order. */
  complaintsByCategory: Array<{ category: ComplaintCategory; count: number }>;
  complaintsBySla: { onTime: number; atRisk: number; breached: number };
  /** Callbacks with a slot in the range, cancelled ones left out: kept = marked done; missed = marked missed, or nobody worked it within the grace after its slot. */
  callbacks: { booked: number; kept: number; missed: number };
  /** rate = helpful / (helpful + notHelpful), 4 decimals; null without any rating. */
  inquiryHelpful: { helpful: number; notHelpful: number; rate: number | null };
  topUnanswered: Array<{ question: string; count: number }>;
}

export interface ServiceDashboardDependencies {
  tickets: Pick<TicketAnalyticsQueries, 'listCreatedBetween'>;
  callbacks: Pick<CallbackAnalyticsQueries, 'listBySlotBetween'>;
  surveyResponses: Pick<SurveyResponseAnalyticsQueries, 'streamUpdatedBetween'>;
  inquiryFeedback: Pick<InquiryFeedbackAnalyticsQueries, 'countHelpful' | 'topUnanswered'>;
  surveys: SurveyDefinitionResolver;
  /** Weeks are counted in this zone (the business time zone). */
  timeZone: string;
  callbackSlotMinutes: number;
  /** A callback nobody worked counts as missed this long after its slot (default {@link DEFAULT_CALLBACK_GRACE_MINUTES}). */
  callbackGraceMinutes?: number;
  now?: () => Date;
}

/**
 * SLA status of a complaint at `now`. A resolved or closed one was on time when it was resolved
 * by its due time (resolvedAt <= slaDueAt), breached otherwise; one resolved before resolution
 * times were stored has no such proof and counts as breached once past due (a desk should not
 * claim an on-time figure it cannot show). A ticket still open (or reopened) is breached once
 * past due (overdue), at risk with 25% or less of its SLA time left, on time otherwise.
 */
export function slaStatus(ticket: Pick<Ticket, 'status' | 'createdAt' | 'slaDueAt' | 'resolvedAt' | 'closedAt'>, now: Date): 'onTime' | 'atRisk' | 'breached' {
  const due = new Date(ticket.slaDueAt).getTime();
  if (!OPEN_STATUSES.includes(ticket.status)) {
    const finished = ticket.resolvedAt ?? ticket.closedAt;
    if (finished) return new Date(finished).getTime() <= due ? 'onTime' : 'breached';
    return now.getTime() > due ? 'breached' : 'onTime';
  }
  const left = due - now.getTime();
  if (left < 0) return 'breached';
  const total = due - new Date(ticket.createdAt).getTime();
  return total > 0 && left <= total * AT_RISK_SHARE ? 'atRisk' : 'onTime';
}

export class ServiceDashboardService {
  private readonly now: () => Date;

  constructor(private readonly deps: ServiceDashboardDependencies) {
    for (const key of ['tickets', 'callbacks', 'surveyResponses', 'inquiryFeedback', 'surveys', 'timeZone'] as const) {
      if (!deps?.[key]) throw new Error(`ServiceDashboardService needs ${key}`);
    }
    this.now = deps.now ?? (() => new Date());
  }

  /** The range asked for (ISO strings), or the last 12 weeks; AppError 400 when it is not a valid range. */
  range(fromText?: string, toText?: string): { from: Date; to: Date } {
    const now = this.now();
    const parse = (text: string, name: string) => {
      const date = new Date(text);
      if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(date.getTime())) throw AppError.badRequest('invalid_range', `${name} must be an ISO date`);
      return date;
    };
    const to = toText ? parse(toText, 'to') : now;
    const from = fromText ? parse(fromText, 'from') : new Date(to.getTime() - DEFAULT_DASHBOARD_WEEKS * 7 * 24 * 60 * 60 * 1000);
    if (from.getTime() >= to.getTime()) throw AppError.badRequest('invalid_range', 'from must be before to');
    if (to.getTime() - from.getTime() > MAX_DASHBOARD_DAYS * 24 * 60 * 60 * 1000) throw AppError.badRequest('invalid_range', `a range covers at most ${MAX_DASHBOARD_DAYS} days`);
    return { from, to };
  }

  async dashboard(from: Date, to: Date): Promise<ServiceDashboard> {
    const now = this.now();
    const [satisfaction, tickets, callbacks, helpful, topUnanswered] = await Promise.all([
      this.satisfactionByWeek(from, to),
      this.deps.tickets.listCreatedBetween(from, to),
      this.deps.callbacks.listBySlotBetween(from, to),
      this.deps.inquiryFeedback.countHelpful(from, to),
      this.deps.inquiryFeedback.topUnanswered(from, to, TOP_UNANSWERED),
    ]);
    const weeks = this.weeksBetween(from, to);
    const complaintsBySla = { onTime: 0, atRisk: 0, breached: 0 };
    for (const ticket of tickets) complaintsBySla[slaStatus(ticket, now)] += 1;
    const live = callbacks.filter((c) => c.status !== 'cancelled');
    const timing = { slotMinutes: this.deps.callbackSlotMinutes, graceMinutes: this.deps.callbackGraceMinutes ?? DEFAULT_CALLBACK_GRACE_MINUTES };
    const rated = helpful.helpful + helpful.notHelpful;
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      csatOverTime: weeks.map((week) => {
        const summary = csatSummary(satisfaction.get(week)?.csat ?? []);
        return { week, mean: summary?.mean ?? null, count: summary?.count ?? 0 };
      }),
      npsOverTime: weeks.map((week) => {
        const summary = npsSummary(satisfaction.get(week)?.nps ?? []);
        return { week, score: summary?.score ?? null, count: summary?.count ?? 0 };
      }),
      complaintsByCategory: COMPLAINT_CATEGORIES.map((category) => ({ category, count: tickets.filter((t) => t.category === category).length })),
      complaintsBySla,
      callbacks: {
        booked: live.length,
        kept: live.filter((c) => c.status === 'done').length,
        missed: live.filter((c) => isMissedCallback(c, now, timing)).length,
      },
      inquiryHelpful: { ...helpful, rate: rated ? Math.round((helpful.helpful / rated) * 10_000) / 10_000 : null },
      topUnanswered,
    };
  }

  /** The ISO week ("2026-W48") of an instant in the business time zone. */
  weekOf(at: Date): string {
    return DateTime.fromJSDate(at, { zone: this.deps.timeZone }).toFormat("kkkk-'W'WW");
  }

  private weeksBetween(from: Date, to: Date): string[] {
    const weeks: string[] = [];
    let cursor = DateTime.fromJSDate(from, { zone: this.deps.timeZone }).startOf('week');
    const end = DateTime.fromJSDate(new Date(to.getTime() - 1), { zone: this.deps.timeZone });
    while (cursor <= end) {
      weeks.push(cursor.toFormat("kkkk-'W'WW"));
      cursor = cursor.plus({ weeks: 1 });
    }
    return weeks;
  }

  private async satisfactionByWeek(from: Date, to: Date): Promise<Map<string, { csat: number[]; nps: number[] }>> {
    const byWeek = new Map<string, { csat: number[]; nps: number[] }>();
    for await (const response of this.deps.surveyResponses.streamUpdatedBetween(from, to)) {
      for (const answer of satisfactionOf(response, await this.deps.surveys.definitionFor(response.surveyId))) {
        if (answer.at.getTime() < from.getTime() || answer.at.getTime() >= to.getTime()) continue;
        const week = this.weekOf(answer.at);
        const bucket = byWeek.get(week) ?? { csat: [], nps: [] };
        byWeek.set(week, bucket);
        bucket[answer.kind].push(answer.score);
      }
    }
    return byWeek;
  }
}
