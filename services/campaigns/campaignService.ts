import crypto from 'node:crypto';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { AppError } from '../appError';
import type { SurveyDefinitionRepository } from '../surveys/surveyDefinitionRepository';
import { audienceFilterSchema, invalid, isoInstant, parseAudienceFilter, type Audience } from './audience';
import {
  DEFAULT_FREQUENCY_CAP_DAYS,
  DEFAULT_QUIET_HOURS,
  type AudiencePreview,
  type Campaign,
  type CampaignKind,
  type CampaignRecipient,
  type CampaignRecipientRepository,
  type CampaignRepository,
  type CampaignStatus,
  type RecipientCounts,
} from './campaign';
import { asksForFeedback } from './frequencyCap';
import { isLocalTime, nextSendableInstant } from './quietHours';

export const DEFAULT_SEND_RATE_PER_SECOND = 20;
/** Recipients written per step of a launch (and skipped per step of a cancel). */
export const MATERIALISE_BATCH = 500;
/**
 * Customers read and checked per step of a launch: the conversation lookup of a step costs about
 * one scan of the collection on the FerretDB test server whatever the batch size (10,000
 * conversations: 1.4 s for 50 users, 2.1 s for 500), so fewer, larger steps are faster.
 */
export const AUDIENCE_BATCH = 2000;

/** What staff can do to a campaign, and the statuses it may start from: the one table of campaign status changes. */
export const CAMPAIGN_TRANSITIONS = {
  launch: { from: ['draft'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  cancel: { from: ['draft', 'running', 'paused'], to: 'cancelled' },
  complete: { from: ['running', 'paused'], to: 'completed' },
} as const satisfies Record<string, { from: readonly CampaignStatus[]; to: CampaignStatus }>;
export type CampaignAction = keyof typeof CAMPAIGN_TRANSITIONS;

const bilingualText = z.object({ 'zh-CN': z.string().trim().min(1).max(2000), en: z.string().trim().min(1).max(2000) }).strict();
const localTime = z.string().refine(isLocalTime, 'must be a local time HH:MM (00:00-23:59)');

/** Every field of a draft as a supervisor sends it; cross-field rules are checked in {@link CampaignService.validate}. */
const draftSchema = z.object({
  name: z.string().trim().min(1).max(200),
  kind: z.enum(['survey', 'message']),
  // null removes the field in an edit (e.g. the surveyId when a survey becomes a message).
  surveyId: z.string().trim().min(1).max(100).nullish(),
  message: bilingualText.nullish(),
  followWithCsat: z.boolean().nullish(),
  audience: audienceFilterSchema.default({}),
  startAt: isoInstant.optional(),
  endAt: isoInstant.nullish(),
  quietHours: z.object({ start: localTime, end: localTime }).strict().default({ ...DEFAULT_QUIET_HOURS }),
  frequencyCapDays: z.number().int().min(0).max(365).default(DEFAULT_FREQUENCY_CAP_DAYS),
  sendRatePerSecond: z.number().min(0.1).max(1000).optional(),
}).strict();

const EDITABLE = Object.keys(draftSchema.shape) as Array<keyof z.infer<typeof draftSchema>>;

const previewSchema = z.object({
  kind: z.enum(['survey', 'message']),
  audience: z.unknown().optional(),
  frequencyCapDays: z.number().int().min(0).max(365).default(DEFAULT_FREQUENCY_CAP_DAYS),
  followWithCsat: z.boolean().optional(),
}).strict();

/** A campaign with its recipients counted per state. */
export type CampaignWithCounts = Campaign & { counts: RecipientCounts };

export interface CampaignServiceDependencies {
  campaigns: CampaignRepository;
  recipients: CampaignRecipientRepository;
  surveys: Pick<SurveyDefinitionRepository, 'get'>;
  audience: Audience;
  /** Time zone of a customer who has none (the business time zone). */
  defaultTimeZone: string;
  defaultSendRatePerSecond?: number;
  clock?: () => Date;
  /** Told when a launch that went on in the background failed (the sender's `ensureMaterialised` retries it). */
  onBackgroundError?: (error: unknown, campaignId: string) => void;
}

/**
 * The business rules of campaigns: drafts validated before they are stored, a launch that
 * materialises the recipients (resumable: `ensureMaterialised` can run again after a crash,
 * duplicates are ignored by the recipient key), pause/resume/cancel/complete through
 * {@link CAMPAIGN_TRANSITIONS}.
 */
export class CampaignService {
  private readonly now: () => Date;
  /** Launches being materialised by this process, so the sender and the launch request never both do it. */
  private readonly materialising = new Map<string, Promise<Campaign>>();

  constructor(private readonly deps: CampaignServiceDependencies) {
    this.now = deps.clock ?? (() => new Date());
  }

  /** Validates a full draft (defaults filled in); AppError 400 naming the field. */
  async validate(input: unknown): Promise<Omit<Campaign, 'id' | 'status' | 'createdBy' | 'createdAt' | 'updatedAt'>> {
    const result = draftSchema.safeParse(input ?? {});
    if (!result.success) throw invalid('campaign_invalid', result.error.issues);
    const draft = result.data;
    const problem = (field: string, message: string) => invalid('campaign_invalid', [{ code: 'custom', path: field.split('.'), message, input: undefined }]);
    if (draft.kind === 'survey') {
      if (!draft.surveyId) throw problem('surveyId', 'a survey campaign needs a surveyId');
      if (!(await this.deps.surveys.get(draft.surveyId))) throw problem('surveyId', `unknown survey "${draft.surveyId}"`);
    } else {
      if (!draft.message) throw problem('message', 'a message campaign needs the message in zh-CN and en');
      if (draft.surveyId) throw problem('surveyId', 'a message campaign takes no surveyId');
    }
    const startAt = draft.startAt ?? this.now();
    if (draft.endAt && draft.endAt.getTime() <= startAt.getTime()) throw problem('endAt', 'endAt must be after startAt');
    const fields = {
      ...draft,
      audience: parseAudienceFilter(draft.audience),
      startAt,
      sendRatePerSecond: draft.sendRatePerSecond ?? this.deps.defaultSendRatePerSecond ?? DEFAULT_SEND_RATE_PER_SECOND,
    };
    return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== null)) as Omit<Campaign, 'id' | 'status' | 'createdBy' | 'createdAt' | 'updatedAt'>;
  }

  async create(input: unknown, createdBy: string): Promise<Campaign> {
    const fields = await this.validate(input);
    const at = this.now();
    return this.deps.campaigns.create({ ...fields, id: crypto.randomUUID(), status: 'draft', createdBy, createdAt: at, updatedAt: at });
  }

  /** Edits a draft: the given fields over the stored ones, validated as a whole; 404 / 409 when not a draft. */
  async update(id: string, input: unknown): Promise<Campaign> {
    const existing = await this.require(id);
    if (existing.status !== 'draft') throw AppError.conflict('campaign_not_draft', 'Only a draft campaign can be edited');
    if (!input || typeof input !== 'object' || Array.isArray(input)) throw AppError.badRequest('campaign_invalid', 'Send the fields to change as a JSON object');
    const current = Object.fromEntries(EDITABLE.filter((k) => existing[k] !== undefined).map((k) => [k, existing[k]]));
    const fields = await this.validate({ ...current, ...input });
    // A field the edit left out of the result (e.g. endAt cleared with null) is removed from the stored draft.
    const removed = Object.fromEntries(EDITABLE.filter((k) => !(k in fields)).map((k) => [k, undefined]));
    return this.deps.campaigns.updateDraft(id, { ...removed, ...fields }, this.now());
  }

  async get(id: string): Promise<CampaignWithCounts> {
    const campaign = await this.require(id);
    return { ...campaign, counts: await this.deps.recipients.counts(id) };
  }

  async list(): Promise<CampaignWithCounts[]> {
    const campaigns = await this.deps.campaigns.list();
    return Promise.all(campaigns.map(async (c) => ({ ...c, counts: await this.deps.recipients.counts(c.id) })));
  }

  /** Preview of an audience before a draft exists: `{ kind, audience, frequencyCapDays?, followWithCsat? }`. */
  async preview(input: unknown): Promise<AudiencePreview> {
    const result = previewSchema.safeParse(input ?? {});
    if (!result.success) throw invalid('preview_invalid', result.error.issues);
    const { kind, frequencyCapDays, followWithCsat } = result.data;
    return this.previewAudience(kind, parseAudienceFilter(result.data.audience), frequencyCapDays, this.now(), followWithCsat);
  }

  async previewCampaign(id: string): Promise<AudiencePreview> {
    const c = await this.require(id);
    return this.previewAudience(c.kind, c.audience, c.frequencyCapDays, this.now(), c.followWithCsat);
  }

  previewAudience(kind: CampaignKind, audience: Campaign['audience'], frequencyCapDays: number, now: Date, followWithCsat?: boolean): Promise<AudiencePreview> {
    return this.deps.audience.preview({ kind, frequencyCapDays, followWithCsat }, audience, now);
  }

  /**
   * Launches a draft: running first (so only one launch happens), then its recipients are stored.
   * With `waitMs`, answers after that long at most while storing goes on in the background (a
   * large audience on a slow store must not hold an HTTP request); without, waits until done.
   */
  async launch(id: string, options: { waitMs?: number } = {}): Promise<Campaign> {
    const now = this.now();
    const draft = await this.require(id);
    if (draft.endAt && draft.endAt.getTime() <= now.getTime()) throw AppError.conflict('campaign_ended', 'The campaign\'s end date has passed: change it before launching');
    await this.move(id, 'launch', { launchedAt: now });
    const stored = this.ensureMaterialised(id);
    if (options.waitMs === undefined) {
      await stored;
    } else {
      stored.catch((error) => this.deps.onBackgroundError?.(error, id));
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise((resolve) => { timer = setTimeout(resolve, options.waitMs); });
      await Promise.race([stored.catch(() => undefined), waited]);
      clearTimeout(timer);
    }
    return this.require(id);
  }

  pause(id: string): Promise<Campaign> {
    return this.move(id, 'pause');
  }

  resume(id: string): Promise<Campaign> {
    return this.move(id, 'resume');
  }

  /** Cancels; recipients still pending become 'skipped' (reason 'cancelled'). */
  async cancel(id: string): Promise<Campaign> {
    const cancelled = await this.move(id, 'cancel', { completedAt: this.now() });
    await this.skipPending(id, 'cancelled');
    return cancelled;
  }

  /**
   * Completes a running or paused campaign when nothing is left to send, or when its end has
   * passed (what is still pending then is skipped as 'expired'). Returns undefined when it is
   * not done yet or not running.
   */
  async complete(id: string): Promise<Campaign | undefined> {
    const now = this.now();
    const campaign = await this.require(id);
    if (!(CAMPAIGN_TRANSITIONS.complete.from as readonly CampaignStatus[]).includes(campaign.status)) return undefined;
    const ended = campaign.endAt !== undefined && campaign.endAt.getTime() <= now.getTime();
    if (!ended) {
      if (!campaign.materialisedAt) return undefined;
      const counts = await this.deps.recipients.counts(id);
      if (counts.pending + counts.sending > 0) return undefined;
    }
    const completed = await this.deps.campaigns.transition(id, [...CAMPAIGN_TRANSITIONS.complete.from], 'completed', now, { completedAt: now });
    if (completed && ended) await this.skipPending(id, 'expired');
    return completed;
  }

  /**
   * Stores the recipients of a launched campaign, unless done already. Safe to call again
   * (by the sender at start, after a crash mid-launch): customers already stored are left as
   * they are, new ones get seq numbers after the highest stored one.
   */
  ensureMaterialised(id: string): Promise<Campaign> {
    const inFlight = this.materialising.get(id);
    if (inFlight) return inFlight;
    const run = this.materialise(id).finally(() => this.materialising.delete(id));
    this.materialising.set(id, run);
    return run;
  }

  private async materialise(id: string): Promise<Campaign> {
    const campaign = await this.require(id);
    if (campaign.materialisedAt || campaign.status === 'draft') return campaign;
    const now = this.now();
    let seq = await this.highestSeq(id);
    const firstSend = new Date(Math.max(now.getTime(), campaign.startAt.getTime()));
    for await (const customers of this.deps.audience.batches(campaign.audience, AUDIENCE_BATCH)) {
      const status = (await this.require(id)).status;
      if (status === 'cancelled' || status === 'completed') break;
      const verdicts = await this.deps.audience.verdicts(customers, campaign, now);
      const recipients = customers.map((customer, i): CampaignRecipient => {
        const verdict = verdicts[i];
        // A zone this runtime does not know (an old import) falls back to the business one rather than stopping the launch.
        const timeZone = customer.timeZone && IANAZone.isValidZone(customer.timeZone) ? customer.timeZone : this.deps.defaultTimeZone;
        const notBefore = nextSendableInstant(firstSend, campaign.quietHours, timeZone);
        seq += 1;
        return {
          campaignId: id, customerId: customer.id, state: verdict.state, seq, attempts: 0,
          language: customer.language ?? 'zh-CN', tier: customer.tier, timeZone, asksForFeedback: asksForFeedback(campaign),
          ...(customer.relationshipManager ? { relationshipManager: customer.relationshipManager } : {}),
          ...(verdict.state === 'pending' ? { channelId: verdict.conversation.channelId, conversationId: verdict.conversation.conversationId } : { reason: verdict.reason }),
          ...(verdict.state === 'pending' && notBefore.getTime() > now.getTime() ? { notBefore } : {}),
        };
      });
      await this.deps.recipients.insertMany(recipients);
    }
    return this.markMaterialised(id);
  }

  /** Sets materialisedAt whatever the status has become meanwhile; a campaign cancelled during the launch loses what was added after. */
  private async markMaterialised(id: string): Promise<Campaign> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const current = await this.require(id);
      if (current.materialisedAt) return current;
      const marked = await this.deps.campaigns.transition(id, [current.status], current.status, this.now(), { materialisedAt: this.now() });
      if (!marked) continue;
      if (marked.status === 'cancelled') await this.skipPending(id, 'cancelled');
      return marked;
    }
    throw AppError.conflict('campaign_busy', 'The campaign kept changing while its launch finished; try again');
  }

  private async highestSeq(id: string): Promise<number> {
    const counts = await this.deps.recipients.counts(id);
    if (Object.values(counts).every((n) => n === 0)) return 0;
    let highest = 0;
    for await (const r of this.deps.recipients.stream(id)) highest = Math.max(highest, r.seq);
    return highest;
  }

  /** Skips every recipient still pending; each is claimed first, so a sender that claims it at the same moment keeps it. */
  private async skipPending(id: string, reason: 'cancelled' | 'expired'): Promise<number> {
    const farFuture = new Date(8.64e15);
    let skipped = 0;
    let afterSeq = 0;
    for (;;) {
      const page = await this.deps.recipients.nextPending(id, afterSeq, MATERIALISE_BATCH, farFuture);
      if (!page.length) return skipped;
      for (const r of page) {
        if (await this.deps.recipients.claim(id, r.customerId, reason, this.now())) {
          await this.deps.recipients.update(id, r.customerId, { state: 'skipped', reason });
          skipped += 1;
        }
      }
      afterSeq = page[page.length - 1].seq;
    }
  }

  private async move(id: string, action: CampaignAction, extra: Partial<Campaign> = {}): Promise<Campaign> {
    const { from, to } = CAMPAIGN_TRANSITIONS[action];
    const moved = await this.deps.campaigns.transition(id, [...from], to, this.now(), extra);
    if (moved) return moved;
    const current = await this.require(id);
    throw AppError.conflict('campaign_wrong_status', `Cannot ${action} a ${current.status} campaign`, { status: current.status });
  }

  private async require(id: string): Promise<Campaign> {
    const campaign = await this.deps.campaigns.get(id);
    if (!campaign) throw AppError.notFound('campaign_not_found', 'No such campaign');
    return campaign;
  }
}
