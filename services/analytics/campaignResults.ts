/**
 * A campaign's results (docs/CAMPAIGNS.md `CampaignResults`): recipient counts, delivery and
 * response rate, CSAT and NPS, answers per choice, free-text themes and breakdowns by tier and
 * relationship manager. Recipients and responses are streamed once each: the responses (at most
 * one per recipient, answers only) are held while the recipients stream past and are joined.
 */
import { AppError } from '../appError';
import { CUSTOMER_TIERS, type CustomerTier } from '../customers/customerRepository';
import type { Language } from '../i18n/localizer';
import {
  campaignResponseSurveyId, RECIPIENT_STATES,
  type BilingualText, type CampaignRecipient, type CampaignRecipientRepository, type CampaignRepository, type RecipientCounts,
} from '../campaigns/campaign';
import type { SurveyDefinition } from '../surveys/surveyDefinition';
import type { SurveyAnswerValue, SurveyResponseAnalyticsQueries } from '../surveys/surveyResponseRepository';
import { csatSummary, npsSummary, type CsatSummary, type NpsSummary } from './satisfactionMath';
import { TermCounts, topThemes, type Themes } from './textThemes';
import type { SurveyDefinitionResolver } from './surveyQuestions';

export interface ChoiceResult {
  questionId: string;
  question: BilingualText;
  choices: Array<{ id: string; label: BilingualText; count: number }>;
}

export interface BreakdownRow {
  delivered: number;
  responded: number;
  csatMean: number | null;
  nps: number | null;
}

export interface CampaignResults {
  campaignId: string;
  counts: RecipientCounts;
  /** Handed to the channel: delivered, plus failed after at least one attempt. */
  sent: number;
  /** Accepted by the channel (the recipient has a sent time). */
  delivered: number;
  responded: number;
  /** responded / delivered (0..1, 4 decimals); 0 when nothing was delivered. */
  responseRate: number;
  csat: CsatSummary | null;
  nps: NpsSummary | null;
  choices: ChoiceResult[];
  themes: Themes;
  byTier: Array<BreakdownRow & { tier: CustomerTier }>;
  byRelationshipManager: Array<BreakdownRow & { relationshipManager: string | null }>;
}

/** The text answers of all responses, as the idf background of the themes. */
export interface ThemeBackground {
  counts(): Promise<TermCounts>;
}

export interface CampaignResultsDependencies {
  campaigns: Pick<CampaignRepository, 'get'>;
  recipients: Pick<CampaignRecipientRepository, 'stream'>;
  responses: Pick<SurveyResponseAnalyticsQueries, 'streamBySurvey'>;
  surveys: SurveyDefinitionResolver;
  background: ThemeBackground;
  /** How long results wait for the themes' background before using the campaign's own answers (default 3 s). */
  backgroundWaitMs?: number;
  /**
   * Results younger than this are answered again as they are (default 5 s), and requests for a
   * campaign whose results are being computed share that computation: the console polls live
   * results, and on a large campaign one computation takes seconds.
   */
  freshForMs?: number;
}

/** Whether the channel accepted the message (sent, responded, or opted out after a send). */
export function wasDelivered(r: Pick<CampaignRecipient, 'state' | 'sentAt'>): boolean {
  return r.state === 'sent' || r.state === 'responded' || (!!r.sentAt && r.state !== 'failed');
}

/** Whether the message was handed to the channel: delivered, or failed after an attempt. */
export function wasSent(r: Pick<CampaignRecipient, 'state' | 'sentAt' | 'attempts'>): boolean {
  return wasDelivered(r) || (r.state === 'failed' && (r.attempts ?? 0) > 0);
}

interface Group { delivered: number; responded: number; csat: number[]; nps: number[] }
const newGroup = (): Group => ({ delivered: 0, responded: 0, csat: [], nps: [] });
const row = (g: Group): BreakdownRow => ({ delivered: g.delivered, responded: g.responded, csatMean: csatSummary(g.csat)?.mean ?? null, nps: npsSummary(g.nps)?.score ?? null });

export class CampaignResultsService {
  private readonly recent = new Map<string, { at: number; results: Promise<CampaignResults> }>();

  constructor(private readonly deps: CampaignResultsDependencies) {
    for (const key of ['campaigns', 'recipients', 'responses', 'surveys', 'background'] as const) {
      if (!deps?.[key]) throw new Error(`CampaignResultsService needs ${key}`);
    }
  }

  /** The campaign's results; AppError 404 when there is no such campaign. */
  results(campaignId: string): Promise<CampaignResults> {
    const now = Date.now();
    for (const [id, entry] of this.recent) if (now - entry.at > (this.deps.freshForMs ?? 5000)) this.recent.delete(id);
    const fresh = this.recent.get(campaignId);
    if (fresh) return fresh.results;
    const results = this.compute(campaignId);
    this.recent.set(campaignId, { at: now, results });
    // A failure is not remembered; an in-flight computation is shared until it settles.
    results.catch(() => this.recent.delete(campaignId)).finally(() => {
      const entry = this.recent.get(campaignId);
      if (entry?.results === results) entry.at = Date.now();
    });
    return results;
  }

  private async compute(campaignId: string): Promise<CampaignResults> {
    const campaign = await this.deps.campaigns.get(campaignId);
    if (!campaign) throw AppError.notFound('campaign_not_found', 'No such campaign');
    const responseSurveyId = campaignResponseSurveyId(campaignId);
    const definition = await this.deps.surveys.definitionFor(responseSurveyId);
    const questions = definition?.questions ?? [];
    const background = this.deps.background.counts();
    background.catch(() => undefined);

    // The recipients and the responses stream side by side, each once: the recipients leave
    // their group counts and, per customer, only which groups they belong to.
    const byTier = new Map<CustomerTier, Group>();
    const byManager = new Map<string | null, Group>();
    const groupsOf = new Map<string, [Group, Group]>();
    let sent = 0;
    let delivered = 0;
    let responded = 0;
    // Counted on the same pass (the repository's counts() would be a second read of every recipient).
    const counts = Object.fromEntries(RECIPIENT_STATES.map((state) => [state, 0])) as RecipientCounts;
    const walkRecipients = async () => {
      for await (const recipient of this.deps.recipients.stream(campaignId)) {
        if (recipient.state in counts) counts[recipient.state] += 1;
        const tier = byTier.get(recipient.tier) ?? newGroup();
        byTier.set(recipient.tier, tier);
        const managerKey = recipient.relationshipManager ?? null;
        const manager = byManager.get(managerKey) ?? newGroup();
        byManager.set(managerKey, manager);
        groupsOf.set(recipient.customerId, [tier, manager]);
        if (wasSent(recipient)) sent += 1;
        if (wasDelivered(recipient)) { delivered += 1; tier.delivered += 1; manager.delivered += 1; }
        if (recipient.state === 'responded') { responded += 1; tier.responded += 1; manager.responded += 1; }
      }
    };
    const [answersByRespondent] = await Promise.all([collectAnswers(this.deps.responses.streamBySurvey(responseSurveyId)), walkRecipients()]);

    const csat: number[] = [];
    const nps: number[] = [];
    const choiceCounts = new Map<string, Map<string, number>>();
    const foreground = new TermCounts();
    for (const [customerId, answers] of answersByRespondent) {
      // Only the campaign's recipients count (a response is keyed by the recipient's customer id).
      const groups = groupsOf.get(customerId);
      if (!groups) continue;
      const [tier, manager] = groups;
      for (const question of questions) {
        const value = answers[question.id];
        if (value === null || value === undefined) continue;
        if (question.type === 'rating' && typeof value === 'number' && value >= 1 && value <= 5) {
          csat.push(value); tier.csat.push(value); manager.csat.push(value);
        } else if (question.type === 'nps' && typeof value === 'number' && value >= 0 && value <= 10) {
          nps.push(value); tier.nps.push(value); manager.nps.push(value);
        } else if (question.type === 'single' || question.type === 'multiple') {
          const perChoice = choiceCounts.get(question.id) ?? new Map<string, number>();
          choiceCounts.set(question.id, perChoice);
          for (const id of Array.isArray(value) ? value : [value]) if (typeof id === 'string') perChoice.set(id, (perChoice.get(id) ?? 0) + 1);
        } else if (question.type === 'text' && typeof value === 'string') {
          foreground.add(value);
        }
      }
    }

    return {
      campaignId,
      counts,
      sent,
      delivered,
      responded,
      responseRate: delivered ? Math.round((responded / delivered) * 10_000) / 10_000 : 0,
      csat: csatSummary(csat),
      nps: npsSummary(nps),
      choices: choiceResults(definition, choiceCounts),
      themes: topThemes(foreground, await this.backgroundOr(background, foreground)),
      byTier: CUSTOMER_TIERS.filter((t) => byTier.has(t)).map((tier) => ({ tier, ...row(byTier.get(tier)!) })),
      byRelationshipManager: [...byManager.keys()]
        .sort((a, b) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
        .map((relationshipManager) => ({ relationshipManager, ...row(byManager.get(relationshipManager)!) })),
    };
  }

  /**
   * The background once it is ready; while it is still being built (the first request after a
   * start on a large store) or when it failed, the campaign's own answers stand in for it.
   */
  private async backgroundOr(background: Promise<TermCounts>, foreground: TermCounts): Promise<TermCounts> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<undefined>((resolve) => { timer = setTimeout(resolve, this.deps.backgroundWaitMs ?? 3000, undefined); });
    try {
      return (await Promise.race([background, waited]).catch(() => undefined)) ?? foreground;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Answers per respondent of one survey, streamed (answers only; a response without any is left out). */
export async function collectAnswers(stream: AsyncIterable<{ respondentKey: string; answers: Record<string, SurveyAnswerValue> }>): Promise<Map<string, Record<string, SurveyAnswerValue>>> {
  const byRespondent = new Map<string, Record<string, SurveyAnswerValue>>();
  for await (const response of stream) {
    if (Object.keys(response.answers).length) byRespondent.set(response.respondentKey, response.answers);
  }
  return byRespondent;
}

function choiceResults(definition: SurveyDefinition | undefined, counts: Map<string, Map<string, number>>): ChoiceResult[] {
  return (definition?.questions ?? [])
    .filter((q) => q.type === 'single' || q.type === 'multiple')
    .map((q) => ({
      questionId: q.id,
      question: q.text,
      choices: (q.choices ?? []).map((c) => ({ id: c.id, label: c.label, count: counts.get(q.id)?.get(c.id) ?? 0 })),
    }));
}

/**
 * Every free-text answer of the last `windowDays` days (all surveys and campaigns), as term
 * counts for the themes' idf; computed at most once per `ttlMs` (results are polled live).
 */
export class AnswerTextBackground implements ThemeBackground {
  private cached: { at: number; counts: Promise<TermCounts> } | undefined;

  constructor(
    private readonly responses: Pick<SurveyResponseAnalyticsQueries, 'streamUpdatedBetween'>,
    private readonly surveys: SurveyDefinitionResolver,
    private readonly options: { windowDays?: number; ttlMs?: number; now?: () => Date } = {},
  ) {}

  counts(): Promise<TermCounts> {
    const now = (this.options.now ?? (() => new Date()))();
    if (this.cached && now.getTime() - this.cached.at < (this.options.ttlMs ?? 10 * 60_000)) return this.cached.counts;
    const counts = this.build(now);
    this.cached = { at: now.getTime(), counts };
    counts.catch(() => { if (this.cached?.counts === counts) this.cached = undefined; });
    return counts;
  }

  private async build(now: Date): Promise<TermCounts> {
    const counts = new TermCounts();
    const from = new Date(now.getTime() - (this.options.windowDays ?? 365) * 24 * 60 * 60 * 1000);
    for await (const response of this.responses.streamUpdatedBetween(from, new Date(now.getTime() + 1))) {
      const definition = await this.surveys.definitionFor(response.surveyId);
      for (const question of definition?.questions ?? []) {
        const value = response.answers[question.id];
        if (question.type === 'text' && typeof value === 'string') counts.add(value);
      }
    }
    return counts;
  }
}

/** The label of a choice in a language, or both joined ("营业网点 / Branch") when no language is given. */
export function labelIn(text: BilingualText, language?: Language): string {
  return language ? text[language] : `${text['zh-CN']} / ${text.en}`;
}
