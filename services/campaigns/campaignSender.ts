/**
 * The campaign sender: a background loop that hands each pending recipient of every running
 * campaign to the channel, once, in their language, at a rate, across several processes.
 */
import { AppError } from '../appError';
import type { Language } from '../i18n/localizer';
import type { Customer } from '../customers/customerRepository';
import type { Conversation } from '../../models/conversations/conversationRepository';
import type { CampaignContacts } from './campaignContacts';
import type { Campaign, CampaignRecipient, CampaignRecipientRepository, CampaignRepository, RecipientState } from './campaign';
import type { SendRateLimiter } from './sendRateLimiter';
import { nextSendableInstant } from './quietHours';
import { asksForFeedback } from './frequencyCap';
import { SendTimeoutError, withTimeout } from '../proactive/clientNotice';

/** What the delivery is asked to do for one recipient. */
export interface DeliveryRequest {
  recipient: CampaignRecipient;
  campaign: Campaign;
  customer: Customer;
  language: Language;
  /** The client's most recent reachable conversation, read with the batch (absent: the delivery looks it up). */
  conversation?: Conversation;
  /**
   * Claims the recipient (exactly one caller across processes wins). The delivery calls it
   * once it knows it can send now (conversation found, client not busy), then sends only when
   * it returned true.
   */
  claim(): Promise<boolean>;
}

/** How a delivery ended (channel errors are thrown: AppError 'unreachable' for 403/404 or no reference). */
export type DeliveryResult =
  | { outcome: 'delivered'; channelId: string; conversationId: string }
  /** The client is in a handoff or in the middle of a dialog: try again later (nothing claimed). */
  | { outcome: 'busy'; reason: string }
  /** Someone else claimed the recipient first: nothing sent. */
  | { outcome: 'claimed_elsewhere' };

/** Port: puts a campaign's message (or survey) in the client's most recent conversation. */
export interface CampaignDelivery {
  deliver(request: DeliveryRequest): Promise<DeliveryResult>;
}

/** The campaign's lifecycle rules the sender relies on (the campaign service). */
export interface CampaignLifecycle {
  /** Makes sure a launched campaign's recipients all exist (a launch interrupted by a crash is finished here). */
  ensureMaterialised(campaignId: string): Promise<unknown>;
  /** Completes the campaign when nothing is left to send or its end has passed (pending ones then 'expired'); undefined when not done. */
  complete(campaignId: string): Promise<Campaign | undefined>;
}

export interface CampaignSenderOptions {
  campaigns: CampaignRepository;
  recipients: CampaignRecipientRepository;
  /** Customers and their conversations, read per batch. */
  contacts: CampaignContacts;
  delivery: CampaignDelivery;
  rateLimiter: SendRateLimiter;
  lifecycle: CampaignLifecycle;
  /** Unique per process (`host:pid`). */
  claimerId: string;
  /** Time zone of a recipient who has none. */
  defaultTimeZone: string;
  /** How often running campaigns are looked at (default 5000 ms). */
  pollMs?: number;
  /** Recipients read per batch (default 100). */
  batchSize?: number;
  /** Sends in flight at once per process (default 8). */
  concurrency?: number;
  /** A 'sending' recipient older than this was left by a dead process (default 120 000 ms). */
  claimStaleMs?: number;
  /** A send taking longer is given up as failed (default 60 000 ms); must be shorter than claimStaleMs. */
  sendTimeoutMs?: number;
  /** A client busy in a handoff or dialog is tried again this much later (default 5 minutes). */
  busyRetryMs?: number;
  now?: () => Date;
  /** Told about an unexpected error; the sender keeps going. */
  onError?: (error: unknown, where: string) => void;
}

/** What one run did (for tests, logs and the bench). */
export interface SenderRunReport {
  sent: number;
  deferred: number;
  failed: number;
  unreachable: number;
  skipped: number;
  optedOut: number;
  interrupted: number;
  claimedElsewhere: number;
  completed: string[];
}

const DAY_MS = 24 * 3600 * 1000;
/** A pause or cancel reaches the sends in flight within this long. */
const STATUS_TTL_MS = 1000;

/**
 * Sends every running campaign's pending recipients, streaming them by seq in batches.
 *
 * Delivery choice — AT MOST ONCE: a recipient is claimed (a unique insert: one process wins)
 * before anything is sent, and a claim is never sent again. A recipient left 'sending' by a
 * process that died (claimedAt older than `claimStaleMs`) becomes 'failed' with reason
 * 'interrupted' — the message may or may not have reached the client, and the bank prefers a
 * client missing one survey to a client getting it twice. Every send is bounded by
 * `sendTimeoutMs` < `claimStaleMs`, so a live process never has a send in flight on a claim
 * that is declared interrupted.
 *
 * Per recipient, at send time: the campaign must still be running (pause and cancel reach the
 * sends within a second: the status is read per batch and again at most every second); the customer must still consent and not have opted out; the frequency cap
 * is checked again; quiet hours in the customer's time zone defer the send (the recipient stays
 * 'pending' with `notBefore`); past the campaign's end it is 'skipped'/'expired'.
 */
export class CampaignSender {
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly claimStaleMs: number;
  private readonly sendTimeoutMs: number;
  private readonly busyRetryMs: number;
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopping = false;
  /** Per campaign: whether it was still running when last read, and when (read again at most every STATUS_TTL_MS). */
  private readonly statuses = new Map<string, { running: boolean; readAt: number; reading?: Promise<boolean> }>();

  constructor(private readonly options: CampaignSenderOptions) {
    for (const key of ['campaigns', 'recipients', 'contacts', 'delivery', 'rateLimiter', 'lifecycle', 'claimerId', 'defaultTimeZone'] as const) {
      if (!options?.[key]) throw new Error(`CampaignSender needs ${key}`);
    }
    this.pollMs = options.pollMs ?? 5000;
    this.batchSize = options.batchSize ?? 100;
    this.concurrency = options.concurrency ?? 8;
    this.claimStaleMs = options.claimStaleMs ?? 120_000;
    this.sendTimeoutMs = options.sendTimeoutMs ?? 60_000;
    this.busyRetryMs = options.busyRetryMs ?? 5 * 60_000;
    this.now = options.now ?? (() => new Date());
    if (this.sendTimeoutMs >= this.claimStaleMs) throw new Error('CampaignSender: sendTimeoutMs must be shorter than claimStaleMs');
  }

  /** Runs now and then every `pollMs`; runs never overlap. */
  start(): void {
    if (this.timer) return;
    this.stopping = false;
    const tick = () => {
      if (this.running || this.stopping) return;
      this.running = this.runOnce(this.now())
        .catch((error) => this.options.onError?.(error, 'run'))
        .finally(() => { this.running = undefined; });
    };
    this.timer = setInterval(tick, this.pollMs);
    this.timer.unref();
    tick();
  }

  /** Stops taking new recipients and waits for the sends in flight, so shutdown never cuts one in half. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass over every running campaign. */
  async runOnce(now: Date): Promise<SenderRunReport> {
    const report: SenderRunReport = { sent: 0, deferred: 0, failed: 0, unreachable: 0, skipped: 0, optedOut: 0, interrupted: 0, claimedElsewhere: 0, completed: [] };
    const campaigns = (await this.options.campaigns.list()).filter((c) => c.status === 'running' && c.startAt.getTime() <= now.getTime());
    for (const campaign of campaigns) {
      if (this.stopping) break;
      try {
        await this.runCampaign(campaign, now, report);
      } catch (error) {
        this.options.onError?.(error, `campaign ${campaign.id}`);
      }
    }
    return report;
  }

  private async runCampaign(campaign: Campaign, now: Date, report: SenderRunReport): Promise<void> {
    const { recipients } = this.options;
    await this.options.lifecycle.ensureMaterialised(campaign.id);
    await this.reconcileInterrupted(campaign, now, report);

    if (campaign.endAt && campaign.endAt.getTime() <= now.getTime()) {
      // Past its end: the campaign service completes it and skips what is still pending as 'expired'.
      await this.complete(campaign, report);
      return;
    }

    let afterSeq = Number.MIN_SAFE_INTEGER;
    for (;;) {
      if (this.stopping) return;
      // Pause and cancel take effect here, between batches.
      const current = await this.options.campaigns.get(campaign.id);
      this.statuses.set(campaign.id, { running: current?.status === 'running', readAt: Date.now() });
      if (current?.status !== 'running') return;
      const batch = await recipients.nextPending(campaign.id, afterSeq, this.batchSize, now);
      if (batch.length === 0) break;
      afterSeq = batch[batch.length - 1].seq;
      // Another process reads the same batch: a random order makes the two rarely race for one recipient.
      // Customers (consent, opt-out) and conversations are read for the whole batch, moments before its sends.
      const customers = await this.options.contacts.customers(batch.map((r) => r.customerId));
      const conversations = await this.options.contacts.latestConversations([...customers.values()]);
      await this.forEachConcurrently(shuffle(batch), (recipient) => this.sendOne(current, recipient, now, report, customers.get(recipient.customerId), conversations.get(recipient.customerId)));
    }
    if (!this.stopping) await this.complete(campaign, report);
  }

  /** 'sending' left by a dead process → failed/'interrupted': never resent (see the class comment). */
  private async reconcileInterrupted(campaign: Campaign, now: Date, report: SenderRunReport): Promise<void> {
    const stale = await this.options.recipients.staleSending(campaign.id, new Date(now.getTime() - this.claimStaleMs));
    for (const recipient of stale) {
      await this.options.recipients.update(campaign.id, recipient.customerId, { state: 'failed', reason: 'interrupted' });
      report.interrupted += 1;
    }
  }

  /** The campaign's status, read again when the last read is older than STATUS_TTL_MS (shared by the concurrent sends). */
  private async stillRunning(campaignId: string): Promise<boolean> {
    const known = this.statuses.get(campaignId);
    if (known && Date.now() - known.readAt < STATUS_TTL_MS) return known.running;
    if (known?.reading) return known.reading;
    const reading = this.options.campaigns.get(campaignId).then((c) => {
      const running = c?.status === 'running';
      this.statuses.set(campaignId, { running, readAt: Date.now() });
      return running;
    }, () => known?.running ?? false);
    this.statuses.set(campaignId, { running: known?.running ?? true, readAt: known?.readAt ?? 0, reading });
    return reading;
  }

  private async complete(campaign: Campaign, report: SenderRunReport): Promise<void> {
    if (await this.options.lifecycle.complete(campaign.id)) report.completed.push(campaign.id);
  }

  private async sendOne(
    campaign: Campaign, recipient: CampaignRecipient, now: Date, report: SenderRunReport, customer: Customer | undefined, conversation: Conversation | undefined,
  ): Promise<void> {
    if (this.stopping) return;
    const { recipients } = this.options;
    try {
      if (!customer) {
        if (await this.settle(campaign, recipient, 'unreachable', 'no_customer')) report.unreachable += 1;
        return;
      }
      if (customer.optedOutAt) {
        if (await this.settle(campaign, recipient, 'opted_out', 'opted_out')) report.optedOut += 1;
        return;
      }
      const consented = campaign.kind === 'survey' ? customer.consent?.surveys : customer.consent?.marketing;
      if (!consented) {
        if (await this.settle(campaign, recipient, 'unreachable', 'no_consent')) report.unreachable += 1;
        return;
      }
      if ((recipient.asksForFeedback ?? asksForFeedback(campaign)) && campaign.frequencyCapDays > 0) {
        const last = await recipients.lastSurveySentAt(customer.id);
        if (last && now.getTime() - last.getTime() < campaign.frequencyCapDays * DAY_MS) {
          if (await this.settle(campaign, recipient, 'skipped', 'frequency_cap')) report.skipped += 1;
          return;
        }
      }
      const sendable = nextSendableInstant(now, campaign.quietHours, customer.timeZone ?? recipient.timeZone ?? this.options.defaultTimeZone);
      if (sendable.getTime() > now.getTime()) {
        if (campaign.endAt && sendable.getTime() >= campaign.endAt.getTime()) {
          if (await this.settle(campaign, recipient, 'skipped', 'expired')) report.skipped += 1;
        } else {
          await recipients.update(campaign.id, recipient.customerId, { notBefore: sendable });
          report.deferred += 1;
        }
        return;
      }
      await this.options.rateLimiter.acquire(campaign.id, campaign.sendRatePerSecond);
      // Paused or cancelled meanwhile: this recipient waits (it is still pending, nothing claimed).
      if (this.stopping || !(await this.stillRunning(campaign.id))) return;
      await this.deliver(campaign, recipient, customer, conversation, report);
    } catch (error) {
      this.options.onError?.(error, `recipient ${campaign.id}/${recipient.customerId}`);
    }
  }

  private async deliver(campaign: Campaign, recipient: CampaignRecipient, customer: Customer, conversation: Conversation | undefined, report: SenderRunReport): Promise<void> {
    const { recipients, delivery, claimerId } = this.options;
    let claimed = false;
    const claim = async () => {
      claimed = await recipients.claim(campaign.id, recipient.customerId, claimerId, this.now());
      return claimed;
    };
    const language: Language = customer.language ?? recipient.language;
    try {
      const result = await withTimeout(delivery.deliver({ recipient, campaign, customer, language, claim, ...(conversation ? { conversation } : {}) }), this.sendTimeoutMs, `campaign ${campaign.id} send`);
      if (result.outcome === 'delivered') {
        // A client who already answered or opted out keeps that state.
        await recipients.markSent(campaign.id, recipient.customerId, { sentAt: this.now(), channelId: result.channelId, conversationId: result.conversationId });
        report.sent += 1;
      } else if (result.outcome === 'busy') {
        if (!claimed) {
          await recipients.update(campaign.id, recipient.customerId, { notBefore: new Date(this.now().getTime() + this.busyRetryMs) });
          report.deferred += 1;
        }
      } else {
        report.claimedElsewhere += 1;
      }
    } catch (error) {
      const unreachable = error instanceof AppError && error.code === 'unreachable';
      const reason = unreachable ? String(error.details?.reason ?? 'channel_403') : failureReason(error);
      if (claimed) {
        await recipients.update(campaign.id, recipient.customerId, { state: unreachable ? 'unreachable' : 'failed', reason });
        if (unreachable) report.unreachable += 1; else report.failed += 1;
      } else if (unreachable) {
        // Found before claiming (no conversation to send to): settle it like any other unreachable client.
        if (await this.settle(campaign, recipient, 'unreachable', reason)) report.unreachable += 1;
      } else {
        // Nothing was sent and nothing claimed (e.g. the conversation lock was busy): try again later.
        await recipients.update(campaign.id, recipient.customerId, { notBefore: new Date(this.now().getTime() + this.busyRetryMs) });
        report.deferred += 1;
        this.options.onError?.(error, `delivery ${campaign.id}/${recipient.customerId}`);
      }
    }
  }

  /** Claims the recipient and gives it a final state without sending; false when another process had it. */
  private async settle(campaign: Campaign, recipient: CampaignRecipient, state: RecipientState, reason: string): Promise<boolean> {
    const { recipients, claimerId } = this.options;
    if (!(await recipients.claim(campaign.id, recipient.customerId, claimerId, this.now()))) return false;
    await recipients.update(campaign.id, recipient.customerId, { state, reason });
    return true;
  }

  private async forEachConcurrently<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < items.length && !this.stopping) {
        const item = items[next];
        next += 1;
        await work(item);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, items.length) }, worker));
  }
}

function failureReason(error: unknown): string {
  if (error instanceof SendTimeoutError) return 'timeout';
  const status = Number((error as any)?.statusCode ?? (error as any)?.status ?? 0);
  if (status === 429) return 'channel_429';
  if (status >= 500) return `channel_${status}`;
  if (status > 0) return `channel_${status}`;
  return 'error';
}

function shuffle<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
