/**
 * Which survey definition a stored response answers, and the satisfaction scores in it: CSAT
 * from rating questions (1-5), NPS from nps questions (0-10). Campaign responses are stored
 * under `campaign:<id>`: a survey campaign answers its survey, a message campaign the quick CSAT.
 */
import type { CampaignRepository } from '../campaigns/campaign';
import type { SurveyDefinition } from '../surveys/surveyDefinition';
import type { SurveyDefinitionRepository } from '../surveys/surveyDefinitionRepository';
import type { SurveyResponseRecord } from '../surveys/surveyResponseRepository';
import type { SatisfactionSignal } from './churnRisk';

/** The survey a message campaign's one-question CSAT uses. */
export const QUICK_CSAT_SURVEY_ID = 'quick-csat';
const CAMPAIGN_PREFIX = 'campaign:';

/** The campaign id of a campaign response's survey id, or undefined. */
export function campaignIdOf(responseSurveyId: string): string | undefined {
  return responseSurveyId.startsWith(CAMPAIGN_PREFIX) ? responseSurveyId.slice(CAMPAIGN_PREFIX.length) : undefined;
}

/** Finds (and remembers) the definition behind a response's survey id. */
export class SurveyDefinitionResolver {
  private readonly cache = new Map<string, SurveyDefinition>();

  constructor(
    private readonly definitions: Pick<SurveyDefinitionRepository, 'get'>,
    private readonly campaigns?: Pick<CampaignRepository, 'get'>,
  ) {
    if (!definitions) throw new Error('SurveyDefinitionResolver needs the survey definitions');
  }

  async definitionFor(responseSurveyId: string): Promise<SurveyDefinition | undefined> {
    const cached = this.cache.get(responseSurveyId);
    if (cached) return cached;
    const campaignId = campaignIdOf(responseSurveyId);
    let surveyId: string | undefined = responseSurveyId;
    if (campaignId) {
      const campaign = await this.campaigns?.get(campaignId);
      surveyId = campaign ? (campaign.kind === 'survey' ? campaign.surveyId : QUICK_CSAT_SURVEY_ID) : undefined;
    }
    const definition = surveyId ? await this.definitions.get(surveyId) : undefined;
    // Only what was found is kept: a campaign created later is looked up again.
    if (definition) this.cache.set(responseSurveyId, definition);
    return definition;
  }
}

/** The CSAT (rating 1-5) and NPS (0-10) answers of a response, at its completion (or last update). */
export function satisfactionOf(record: SurveyResponseRecord, definition: SurveyDefinition | undefined): SatisfactionSignal[] {
  if (!definition) return [];
  const at = new Date(record.completedAt ?? record.updatedAt);
  const found: SatisfactionSignal[] = [];
  for (const question of definition.questions) {
    const value = record.answers[question.id];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    if (question.type === 'rating' && value >= 1 && value <= 5) found.push({ kind: 'csat', score: value, at });
    if (question.type === 'nps' && value >= 0 && value <= 10) found.push({ kind: 'nps', score: value, at });
  }
  return found;
}
