/**
 * Campaigns: surveys, follow-ups (回访) and greetings the service team pushes to clients
 * through chat. This module holds the domain types and the ports every other part
 * (sender, dialogs, results, console) codes against; behaviour lives in the services beside it.
 */
import type { Language } from '../i18n/localizer';
import type { CustomerTier } from '../customers/customerRepository';

/** A survey (a definition from data/surveys) or a message only, optionally followed by a one-question CSAT. */
export type CampaignKind = 'survey' | 'message';

/**
 * draft → running (launched) ⇄ paused → completed | cancelled. A draft can be edited and
 * previewed; launching materialises the recipients; completed = no recipient left pending
 * or the end of the schedule has passed.
 */
export type CampaignStatus = 'draft' | 'running' | 'paused' | 'completed' | 'cancelled';
export const CAMPAIGN_STATUSES: readonly CampaignStatus[] = ['draft', 'running', 'paused', 'completed', 'cancelled'];

/** Text in both languages (a recipient gets the one of their language). */
export interface BilingualText {
  'zh-CN': string;
  en: string;
}

/**
 * Who a campaign goes to: a filter on customer fields. Every given criterion must hold
 * (AND); a list criterion holds when the customer matches any of its values (OR).
 */
export interface AudienceFilter {
  tiers?: CustomerTier[];
  /** The customer has at least one of these tags. */
  tagsAny?: string[];
  languages?: Language[];
  relationshipManagers?: string[];
  /** The customer's last chat contact was before this instant (or never). */
  lastContactBefore?: Date;
  /** true: only customers with an open complaint; false: only those without. */
  hasOpenComplaint?: boolean;
}

/** Local times "HH:MM" in the customer's time zone; a window may cross midnight (21:00-09:00). */
export interface QuietHours {
  start: string;
  end: string;
}

export const DEFAULT_QUIET_HOURS: QuietHours = { start: '21:00', end: '09:00' };
/** Default frequency cap: no customer surveyed more than once in this many days, across all campaigns. */
export const DEFAULT_FREQUENCY_CAP_DAYS = 30;

export interface Campaign {
  id: string;
  name: string;
  kind: CampaignKind;
  /** For kind 'survey': the survey definition id. */
  surveyId?: string;
  /** For kind 'message': the text sent (both languages). For 'survey': an optional intro replacing the survey's. */
  message?: BilingualText;
  /** For kind 'message': ask the one-question CSAT after the message. */
  followWithCsat?: boolean;
  audience: AudienceFilter;
  /** Sending starts at startAt and stops at endAt (recipients still pending then are 'expired'). */
  startAt: Date;
  endAt?: Date;
  quietHours: QuietHours;
  /** Days within which a customer who got a survey (from any campaign) is not surveyed again; 0 = no cap. */
  frequencyCapDays: number;
  /** Messages per second across all processes sending this campaign. */
  sendRatePerSecond: number;
  status: CampaignStatus;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  launchedAt?: Date;
  completedAt?: Date;
  /** Set once every recipient of the launch is stored; until then the launch may be resumed (idempotently). */
  materialisedAt?: Date;
}

/** What a supervisor sends to create or edit a draft (validated by the campaign service). */
export type CampaignDraftInput = Pick<Campaign, 'name' | 'kind'> & Partial<Pick<Campaign,
  'surveyId' | 'message' | 'followWithCsat' | 'audience' | 'startAt' | 'endAt' | 'quietHours' | 'frequencyCapDays' | 'sendRatePerSecond'>>;

/**
 * Where one recipient of a campaign stands.
 * - pending: waiting to be sent (maybe deferred by quiet hours: see `notBefore`);
 * - sending: claimed by a process, the send is in flight;
 * - sent: the channel accepted the message;
 * - failed: gave up (channel error after retries, or the send was interrupted by a crash:
 *   never resent, since the message may have gone out; `error` says which);
 * - unreachable: no consent, no conversation reference, or the channel answered 403/404;
 * - skipped: the frequency cap, or the campaign ended before it could be sent ('expired');
 * - responded: the client answered (survey completed, or CSAT given);
 * - opted_out: the client unsubscribed after this campaign was sent or while it was pending.
 */
export type RecipientState = 'pending' | 'sending' | 'sent' | 'failed' | 'unreachable' | 'skipped' | 'responded' | 'opted_out';
export const RECIPIENT_STATES: readonly RecipientState[] = ['pending', 'sending', 'sent', 'failed', 'unreachable', 'skipped', 'responded', 'opted_out'];

export interface CampaignRecipient {
  campaignId: string;
  customerId: string;
  state: RecipientState;
  /** Copied from the customer at launch, for breakdowns and for sending in their language. */
  language: Language;
  tier: CustomerTier;
  relationshipManager?: string;
  timeZone: string;
  /** Position in the launch order; recipients are claimed in batches of consecutive seq. */
  seq: number;
  /** Earliest instant to send (after quiet hours); absent = now. */
  notBefore?: Date;
  attempts: number;
  /** Process that claimed the send (`host:pid`). */
  claimedBy?: string;
  claimedAt?: Date;
  sentAt?: Date;
  respondedAt?: Date;
  /** Why it failed / is unreachable / skipped (`no_consent`, `no_reference`, `channel_403`, `frequency_cap`, `expired`, `interrupted`...). */
  reason?: string;
  /** The conversation the message went to. */
  channelId?: string;
  conversationId?: string;
  /**
   * Copied from the campaign at launch: true when it asks the client for feedback (a survey, or a
   * message followed by the CSAT question). Only these count toward the frequency cap.
   */
  asksForFeedback?: boolean;
}

/** Counts of recipients per state (every state present, 0 when none). */
export type RecipientCounts = Record<RecipientState, number>;

/** Preview before launch: how many match and how many can actually be reached. */
export interface AudiencePreview {
  /** Customers matching the filter. */
  matching: number;
  /** Of those: consent to surveys (survey kind) or marketing (message kind) and a stored conversation reference. */
  reachable: number;
  /** Of the reachable: held back by the frequency cap right now. */
  frequencyCapped: number;
  noConsent: number;
  noConversation: number;
}

/** Persistence of campaigns. */
export interface CampaignRepository {
  create(campaign: Campaign): Promise<Campaign>;
  get(id: string): Promise<Campaign | undefined>;
  /** Newest first. */
  list(): Promise<Campaign[]>;
  /** Replaces the editable fields of a draft; AppError 409 when it is no longer a draft. */
  updateDraft(id: string, fields: Partial<Campaign>, at: Date): Promise<Campaign>;
  /**
   * Moves the status from one of `from` to `to` in one atomic step; returns the campaign, or
   * undefined when it was not in one of `from` (someone else moved it first).
   */
  transition(id: string, from: CampaignStatus[], to: CampaignStatus, at: Date, extra?: Partial<Campaign>): Promise<Campaign | undefined>;
}

/**
 * Persistence of recipients: one record per (campaignId, customerId), unique, so a customer
 * can never be in a campaign twice. State changes are single-record atomic updates; a send is
 * claimed with a unique insert (FerretDB 1.x has no reliable guarded update under contention),
 * so two processes never send to the same recipient.
 */
export interface CampaignRecipientRepository {
  /** Adds recipients (duplicates of (campaignId, customerId) are ignored); returns how many were new. */
  insertMany(recipients: CampaignRecipient[]): Promise<number>;
  get(campaignId: string, customerId: string): Promise<CampaignRecipient | undefined>;
  /** Pending recipients with seq > afterSeq and notBefore ≤ now (or none), in seq order, at most `limit`. */
  nextPending(campaignId: string, afterSeq: number, limit: number, now: Date): Promise<CampaignRecipient[]>;
  /**
   * Claims one pending recipient for sending (unique insert of the claim); true for exactly one
   * caller across processes, false when someone else claimed it or it is no longer pending.
   */
  claim(campaignId: string, customerId: string, claimer: string, at: Date): Promise<boolean>;
  /** Sets the state (and the given fields) of one recipient. */
  update(campaignId: string, customerId: string, fields: Partial<CampaignRecipient>): Promise<void>;
  /**
   * Records that the channel accepted the message: a recipient still 'sending' becomes 'sent'; one
   * who answered or opted out meanwhile keeps that state (only sentAt and the conversation are
   * recorded), so a fast reply is never overwritten. True when the state moved to 'sent'.
   */
  markSent(campaignId: string, customerId: string, fields: Required<Pick<CampaignRecipient, 'sentAt' | 'channelId' | 'conversationId'>>): Promise<boolean>;
  /** Streams every recipient of a campaign (for results and CSV export) without loading them all. */
  stream(campaignId: string): AsyncIterable<CampaignRecipient>;
  counts(campaignId: string): Promise<RecipientCounts>;
  /** Recipients left in 'sending' by a process that died (claimedAt older than `before`). */
  staleSending(campaignId: string, before: Date): Promise<CampaignRecipient[]>;
  /** The latest instant a survey campaign was sent to this customer (for the frequency cap), or undefined. */
  lastSurveySentAt(customerId: string): Promise<Date | undefined>;
  /** {@link lastSurveySentAt} for a batch of customers (a launch checks hundreds at once); customers never surveyed are absent. */
  lastSurveySentAtMany(customerIds: string[]): Promise<Map<string, Date>>;
  /** The customer's recipients in the given states (for opt-out and for matching a reply to a campaign). */
  findByCustomer(customerId: string, states?: RecipientState[]): Promise<CampaignRecipient[]>;
}

/** A task for a relationship manager (or the service desk) after a poor score. */
export interface FollowUpTask {
  id: string;
  customerId?: string;
  channelId: string;
  userId: string;
  /** The relationship manager's id, or 'service-desk' when the customer has none. */
  assignee: string;
  reason: 'detractor' | 'low_csat';
  score: number;
  campaignId?: string;
  surveyId?: string;
  /** The callback booked with the client, if they agreed to one. */
  callbackReference?: string;
  status: 'open' | 'done';
  createdAt: Date;
  updatedAt: Date;
}

/** Where survey responses of a campaign are stored: one response per customer per campaign. */
export function campaignResponseSurveyId(campaignId: string): string {
  return `campaign:${campaignId}`;
}
