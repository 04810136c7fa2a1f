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
  campaignResponseSurveyId,
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
  recipients: Pick<CampaignRecipientRepository, 'stream' | 'counts'>;
  responses: Pick<SurveyResponseAnalyticsQueries, 'streamBySurvey'>;
  surveys: SurveyDefinitionResolver;
  background: ThemeBackground;
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
  constructor(private readonly deps: CampaignResultsDependencies) {
    for (const key of ['campaigns', 'recipients', 'responses', 'surveys', 'background'] as const) {
      if (!deps?.[key]) throw new Error(`CampaignResultsService needs ${key}`);
    }
  }

  /** The campaign's results; AppError 404 when there is no such campaign. */
  async results(campaignId: string): Promise<CampaignResults> {
    const campaign = await this.deps.campaigns.get(campaignId);
    if (!campaign) throw AppError.notFound('campaign_not_found', 'No such campaign');
    const responseSurveyId = campaignResponseSurveyId(campaignId);
    const definition = await this.deps.surveys.definitionFor(responseSurveyId);
    const questions = definition?.questions ?? [];
    const [counts, answersByRespondent, background] = await Promise.all([
      this.deps.recipients.counts(campaignId),
      collectAnswers(this.deps.responses.streamBySurvey(responseSurveyId)),
      this.deps.background.counts(),
    ]);

    const csat: number[] = [];
    const nps: number[] = [];
    const choiceCounts = new Map<string, Map<string, number>>();
    const foreground = new TermCounts();
    const byTier = new Map<CustomerTier, Group>();
    const byManager = new Map<string | null, Group>();
    let sent = 0;
    let delivered = 0;
    let responded = 0;

    for await (const recipient of this.deps.recipients.stream(campaignId)) {
      const tier = byTier.get(recipient.tier) ?? newGroup();
      byTier.set(recipient.tier, tier);
      const managerKey = recipient.relationshipManager ?? null;
      const manager = byManager.get(managerKey) ?? newGroup();
      byManager.set(managerKey, manager);
      if (wasSent(recipient)) sent += 1;
      if (wasDelivered(recipient)) { delivered += 1; tier.delivered += 1; manager.delivered += 1; }
      if (recipient.state === 'responded') { responded += 1; tier.responded += 1; manager.responded += 1; }

      const answers = answersByRespondent.get(recipient.customerId);
      if (!answers) continue;
      answersByRespondent.delete(recipient.customerId);
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
      themes: topThemes(foreground, background),
      byTier: CUSTOMER_TIERS.filter((t) => byTier.has(t)).map((tier) => ({ tier, ...row(byTier.get(tier)!) })),
      byRelationshipManager: [...byManager.keys()]
        .sort((a, b) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
        .map((relationshipManager) => ({ relationshipManager, ...row(byManager.get(relationshipManager)!) })),
    };
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
