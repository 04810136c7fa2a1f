import type { Campaign, CampaignRecipientRepository } from './campaign';

const DAY_MS = 24 * 3600_000;

/**
 * Whether a campaign asks the client for feedback: a survey, or a message followed by the
 * CSAT question. Only these count toward the frequency cap and only these are capped — a
 * greeting that asks nothing is not the survey fatigue the cap protects against.
 */
export function asksForFeedback(campaign: Pick<Campaign, 'kind' | 'followWithCsat'>): boolean {
  return campaign.kind === 'survey' || Boolean(campaign.followWithCsat);
}

/**
 * The frequency cap: no customer is asked for feedback more than once in `capDays` days,
 * across all campaigns. Reads the last feedback send from the recipients (records marked
 * `asksForFeedback` with a `sentAt`).
 */
export class FrequencyCap {
  constructor(private readonly recipients: Pick<CampaignRecipientRepository, 'lastSurveySentAt' | 'lastSurveySentAtMany'>) {}

  /** True when the customer got a feedback request less than `capDays` days before `now`; capDays 0 = no cap. */
  async isCapped(customerId: string, capDays: number, now: Date): Promise<boolean> {
    if (capDays <= 0) return false;
    return withinCap(await this.recipients.lastSurveySentAt(customerId), capDays, now);
  }

  /** Of these customers, the ones the campaign's cap holds back now (one lookup for the batch). */
  async cappedAmong(campaign: Pick<Campaign, 'kind' | 'followWithCsat' | 'frequencyCapDays'>, customerIds: string[], now: Date): Promise<Set<string>> {
    if (!asksForFeedback(campaign) || campaign.frequencyCapDays <= 0 || !customerIds.length) return new Set();
    const last = await this.recipients.lastSurveySentAtMany(customerIds);
    return new Set(customerIds.filter((id) => withinCap(last.get(id), campaign.frequencyCapDays, now)));
  }

  /** The cap as it applies to a campaign: a campaign that asks nothing is never capped. */
  async isCappedFor(campaign: Pick<Campaign, 'kind' | 'followWithCsat' | 'frequencyCapDays'>, customerId: string, now: Date): Promise<boolean> {
    return asksForFeedback(campaign) && this.isCapped(customerId, campaign.frequencyCapDays, now);
  }
}

function withinCap(lastSentAt: Date | undefined, capDays: number, now: Date): boolean {
  return lastSentAt !== undefined && now.getTime() - lastSentAt.getTime() < capDays * DAY_MS;
}
