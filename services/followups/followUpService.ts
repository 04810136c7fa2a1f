import type { FollowUpTask } from '../campaigns/campaign';
import type { Customer } from '../customers/customerRepository';
import type { SurveyQuestion } from '../surveys/surveyDefinition';
import type { SurveyAnswerValue } from '../surveys/surveyResponseRepository';
import type { FollowUpTaskRepository } from './followUpTaskRepository';

/** Who gets a task when the client has no relationship manager. */
export const SERVICE_DESK = 'service-desk';
/** NPS 0-6 is a detractor. */
export const DETRACTOR_MAX = 6;
/** CSAT (rating 1-5) of 1 or 2 is poor. */
export const LOW_CSAT_MAX = 2;

/** Why a score calls for a follow-up, and the score. */
export interface PoorScore {
  reason: FollowUpTask['reason'];
  score: number;
}

/**
 * The poor score among a survey's answers, if any: an NPS detractor wins over a low CSAT (the
 * stronger signal), and the lowest score of that kind is the one reported.
 */
export function poorScore(questions: ReadonlyArray<Pick<SurveyQuestion, 'id' | 'type'>>, answers: Record<string, SurveyAnswerValue>): PoorScore | undefined {
  const scores = (type: SurveyQuestion['type'], max: number) => questions
    .filter((q) => q.type === type)
    .map((q) => answers[q.id])
    .filter((a): a is number => typeof a === 'number' && a <= max);
  const detractor = scores('nps', DETRACTOR_MAX);
  if (detractor.length) return { reason: 'detractor', score: Math.min(...detractor) };
  const low = scores('rating', LOW_CSAT_MAX);
  if (low.length) return { reason: 'low_csat', score: Math.min(...low) };
  return undefined;
}

/** The client and the survey (or campaign) a poor score came from. */
export interface PoorScoreSource {
  customerId?: string;
  channelId: string;
  userId: string;
  surveyId: string;
  campaignId?: string;
}

/** What the service reads about a client: their relationship manager. */
export type FollowUpCustomers = {
  get(customerId: string): Promise<Customer | undefined>;
  findByChannelUser(channelId: string, userId: string): Promise<Customer | undefined>;
};

/**
 * Follow-through on poor scores: a detractor or a low CSAT opens a task for the client's
 * relationship manager (or the service desk), one open task per client per campaign or survey,
 * so answering twice does not double anyone's work.
 */
export class FollowUpService {
  constructor(
    private readonly tasks: FollowUpTaskRepository,
    private readonly customers?: FollowUpCustomers,
    private readonly now: () => Date = () => new Date(),
  ) {
    if (!tasks) throw new Error('FollowUpService needs a task repository');
  }

  /** Opens (or finds) the task for a poor score; undefined when the answers hold none. */
  async openForAnswers(source: PoorScoreSource, questions: ReadonlyArray<Pick<SurveyQuestion, 'id' | 'type'>>, answers: Record<string, SurveyAnswerValue>): Promise<FollowUpTask | undefined> {
    const poor = poorScore(questions, answers);
    return poor ? this.open(source, poor) : undefined;
  }

  /** Opens the task for this poor score, or returns the one already open for the client and campaign/survey. */
  async open(source: PoorScoreSource, poor: PoorScore): Promise<FollowUpTask> {
    const customer = await this.customerOf(source);
    const customerId = source.customerId ?? customer?.id;
    const { task } = await this.tasks.open(followUpKey({ ...source, customerId }), {
      ...(customerId ? { customerId } : {}),
      channelId: source.channelId,
      userId: source.userId,
      assignee: customer?.relationshipManager ?? SERVICE_DESK,
      reason: poor.reason,
      score: poor.score,
      surveyId: source.surveyId,
      ...(source.campaignId ? { campaignId: source.campaignId } : {}),
    }, this.now());
    return task;
  }

  /** Stores the callback the client booked after the offer. */
  recordCallback(taskId: string, reference: string): Promise<FollowUpTask | undefined> {
    return this.tasks.setCallbackReference(taskId, reference, this.now());
  }

  /** The assignee dealt with it. */
  close(taskId: string): Promise<FollowUpTask | undefined> {
    return this.tasks.close(taskId, this.now());
  }

  /** Open tasks for the console, oldest first (of one assignee when given). */
  listOpen(assignee?: string): Promise<FollowUpTask[]> {
    return this.tasks.listOpen(assignee);
  }

  private async customerOf(source: PoorScoreSource): Promise<Customer | undefined> {
    if (!this.customers) return undefined;
    if (source.customerId) return this.customers.get(source.customerId);
    return this.customers.findByChannelUser(source.channelId, source.userId);
  }
}

/** One open task per client (customer, else chat identity) per campaign (else survey). */
export function followUpKey(source: PoorScoreSource): string {
  const client = source.customerId ? `customer:${source.customerId}` : `user:${source.channelId}:${source.userId}`;
  const about = source.campaignId ? `campaign:${source.campaignId}` : `survey:${source.surveyId}`;
  return `${client}|${about}`;
}
