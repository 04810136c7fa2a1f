/**
 * A campaign's responses as CSV for Excel: UTF-8 with a BOM (so Excel reads the Chinese), CRLF
 * line ends, a header in the staff member's language (or both), one row per recipient who
 * answered, choice labels instead of ids, and cells that a spreadsheet would run as a formula
 * (= + - @, tab, CR) prefixed with a quote. Rows are produced one at a time, as the recipients stream.
 */
import { AppError } from '../appError';
import type { Language } from '../i18n/localizer';
import type { Customer, CustomerRepository } from '../customers/customerRepository';
import {
  campaignResponseSurveyId,
  type BilingualText, type CampaignRecipient, type CampaignRecipientRepository, type CampaignRepository,
} from '../campaigns/campaign';
import type { SurveyQuestion } from '../surveys/surveyDefinition';
import type { SurveyAnswerValue, SurveyResponseAnalyticsQueries } from '../surveys/surveyResponseRepository';
import { collectAnswers, labelIn } from './campaignResults';
import type { SurveyDefinitionResolver } from './surveyQuestions';

export const CSV_BOM = '\uFEFF';
const CRLF = '\r\n';
/** Customers looked up at once while exporting. */
const CUSTOMER_LOOKUP_BATCH = 25;

/** The fixed columns, in order (header texts come from the `analytics.csv.*` locale strings). */
export const CSV_FIXED_COLUMNS = ['externalId', 'company', 'contactName', 'tier', 'relationshipManager', 'language', 'respondedAt'] as const;

/** One CSV cell: formula-looking text neutralised, then quoted when it holds a quote, comma or line break. */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: unknown[]): string {
  return cells.map(csvCell).join(',') + CRLF;
}

export interface ResponsesCsvDependencies {
  campaigns: Pick<CampaignRepository, 'get'>;
  recipients: Pick<CampaignRecipientRepository, 'stream'>;
  responses: Pick<SurveyResponseAnalyticsQueries, 'streamBySurvey'>;
  customers: Pick<CustomerRepository, 'get'>;
  surveys: SurveyDefinitionResolver;
  /** Header text of a fixed column (`analytics.csv.<column>`) in a language. */
  columnTitle: (language: Language, column: (typeof CSV_FIXED_COLUMNS)[number]) => string;
}

export class ResponsesCsvExport {
  constructor(private readonly deps: ResponsesCsvDependencies) {
    for (const key of ['campaigns', 'recipients', 'responses', 'customers', 'surveys', 'columnTitle'] as const) {
      if (!deps?.[key]) throw new Error(`ResponsesCsvExport needs ${key}`);
    }
  }

  /**
   * Checks the campaign exists (AppError 404) and returns its file name and lines: the BOM and
   * the header first, then the rows of the responded recipients (a chunk may hold several lines). `language` undefined = both languages.
   */
  async open(campaignId: string, language?: Language): Promise<{ fileName: string; lines: AsyncIterable<string> }> {
    const campaign = await this.deps.campaigns.get(campaignId);
    if (!campaign) throw AppError.notFound('campaign_not_found', 'No such campaign');
    const responseSurveyId = campaignResponseSurveyId(campaignId);
    const questions = (await this.deps.surveys.definitionFor(responseSurveyId))?.questions ?? [];
    const title = (column: (typeof CSV_FIXED_COLUMNS)[number]) => (language
      ? this.deps.columnTitle(language, column)
      : `${this.deps.columnTitle('zh-CN', column)} / ${this.deps.columnTitle('en', column)}`);
    const deps = this.deps;
    async function* lines(): AsyncIterable<string> {
      yield CSV_BOM + csvLine([...CSV_FIXED_COLUMNS.map(title), ...questions.map((q) => labelIn(q.text, language))]);
      const answers = await collectAnswers(deps.responses.streamBySurvey(responseSurveyId));
      const row = (recipient: CampaignRecipient, customer: Customer | undefined) => {
        const own = answers.get(recipient.customerId) ?? {};
        return csvLine([
          customer?.externalId, customer?.company, customer?.name, recipient.tier, recipient.relationshipManager, recipient.language,
          recipient.respondedAt ? new Date(recipient.respondedAt) : undefined,
          ...questions.map((q) => answerText(q, own[q.id], language)),
        ]);
      };
      // Customers are looked up a batch at a time (the lookups overlap), rows written in recipient order.
      let batch: CampaignRecipient[] = [];
      const flush = async () => {
        const customers = await Promise.all(batch.map((r) => deps.customers.get(r.customerId)));
        const lines = batch.map((r, i) => row(r, customers[i]));
        batch = [];
        return lines.join('');
      };
      for await (const recipient of deps.recipients.stream(campaignId)) {
        if (recipient.state !== 'responded') continue;
        batch.push(recipient);
        if (batch.length >= CUSTOMER_LOOKUP_BATCH) yield await flush();
      }
      if (batch.length) yield await flush();
    }
    return { fileName: `campaign-${campaignId.replace(/[^A-Za-z0-9_-]/g, '_')}-responses.csv`, lines: lines() };
  }
}

/** An answer as a cell: choice labels (several joined with "; "), scores as numbers, text as given. */
function answerText(question: SurveyQuestion, value: SurveyAnswerValue | undefined, language?: Language): string | number | undefined {
  if (value === null || value === undefined) return undefined;
  if (question.type === 'single' || question.type === 'multiple') {
    const label = (id: string): string => {
      const choice = question.choices?.find((c) => c.id === id);
      return choice ? labelIn(choice.label as BilingualText, language) : id;
    };
    return (Array.isArray(value) ? value : [String(value)]).map(label).join('; ');
  }
  return Array.isArray(value) ? value.join('; ') : value;
}
