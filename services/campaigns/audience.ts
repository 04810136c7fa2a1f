import { z } from 'zod';
import { AppError } from '../appError';
import type { Conversation, ConversationRepository } from '../../models/conversations/conversationRepository';
import { CUSTOMER_TIERS, type Customer, type CustomerQuery, type CustomerRepository } from '../customers/customerRepository';
import type { TicketRepository } from '../tickets/ticketRepository';
import type { AudienceFilter, AudiencePreview, Campaign, CampaignKind } from './campaign';
import type { FrequencyCap } from './frequencyCap';

const LANGUAGES = ['zh-CN', 'en'] as const;

/** An instant given as a Date or an ISO 8601 string (JSON bodies carry strings); anything else is refused. */
export const isoInstant = z.union([z.date(), z.string()]).transform((value, ctx) => {
  const date = value instanceof Date ? value : /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: 'custom', message: `not an ISO 8601 date: ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return date;
});

/** A list of values each of which must be one of `allowed`; the error names the unknown value. */
function oneOfEach<T extends string>(allowed: readonly T[], what: string) {
  return z.array(z.string()).max(100).superRefine((values, ctx) => {
    for (const value of values) {
      if (!allowed.includes(value as T)) ctx.addIssue({ code: 'custom', message: `unknown ${what} "${value}" (expected one of ${allowed.join(', ')})` });
    }
  }).transform((values) => values as T[]);
}

const shortStrings = z.array(z.string().trim().min(1).max(100)).max(100);

export const audienceFilterSchema = z.object({
  tiers: oneOfEach(CUSTOMER_TIERS, 'tier').optional(),
  tagsAny: shortStrings.optional(),
  languages: oneOfEach(LANGUAGES, 'language').optional(),
  relationshipManagers: shortStrings.optional(),
  lastContactBefore: isoInstant.optional(),
  hasOpenComplaint: z.boolean().optional(),
}).strict();

/** Turns zod issues into the one 400 the API answers with: a stable code, the first field, every problem. */
export function invalid(code: string, issues: z.core.$ZodIssue[], prefix: string[] = []): AppError {
  const problems = issues.map((i) => ({ field: [...prefix, ...i.path.map(String)].join('.'), message: i.message }));
  const text = problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; ');
  return AppError.badRequest(code, `Invalid campaign: ${text}`, { field: problems[0]?.field, problems });
}

/** Validates an audience filter (dates from ISO strings); AppError 400 'audience_invalid' naming the field and value. */
export function parseAudienceFilter(input: unknown): AudienceFilter {
  const result = audienceFilterSchema.safeParse(input ?? {});
  if (!result.success) throw invalid('audience_invalid', result.error.issues, ['audience']);
  return withoutUndefined(result.data) as AudienceFilter;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The part of a filter the customer store evaluates (everything but open complaints). */
export function customerQueryOf(filter: AudienceFilter): CustomerQuery {
  const { hasOpenComplaint: _open, ...fields } = filter;
  return withoutUndefined(fields);
}

/**
 * Whether a customer's own fields satisfy the filter (every given criterion; any value within
 * one). Open complaints are not a customer field: see {@link Audience}. Same rules as the stores'
 * `streamMatching`: an empty list matches no one, a missing language matches no language.
 */
export function matchesFilter(customer: Customer, filter: AudienceFilter): boolean {
  if (filter.tiers && !filter.tiers.includes(customer.tier)) return false;
  if (filter.tagsAny && !filter.tagsAny.some((tag) => customer.tags.includes(tag))) return false;
  if (filter.languages && !(customer.language && filter.languages.includes(customer.language))) return false;
  if (filter.relationshipManagers && !(customer.relationshipManager && filter.relationshipManagers.includes(customer.relationshipManager))) return false;
  if (filter.lastContactBefore && customer.lastContactAt && !(customer.lastContactAt.getTime() < filter.lastContactBefore.getTime())) return false;
  return true;
}

/** Whether the customer agreed to this kind of campaign: surveys for a survey, marketing for a message; an opt-out overrides both. */
export function hasConsent(customer: Customer, kind: CampaignKind): boolean {
  if (customer.optedOutAt) return false;
  return kind === 'survey' ? customer.consent.surveys : customer.consent.marketing;
}

/** Where a customer stands for a campaign at launch: the recipient state it starts in. */
export type AudienceVerdict =
  | { state: 'pending'; conversation: Conversation }
  | { state: 'unreachable'; reason: 'no_consent' | 'no_reference' }
  | { state: 'skipped'; reason: 'frequency_cap' };

/** What the verdict needs of the campaign. */
export type CampaignTerms = Pick<Campaign, 'kind' | 'followWithCsat' | 'frequencyCapDays'>;

/** How many customers' open complaints are looked up at once. */
const CHECK_CONCURRENCY = 25;
/** Customers checked per lookup in a preview (as many as a launch checks per step). */
const PREVIEW_BATCH = 2000;

/**
 * A campaign's audience: customers matching the filter, read from the store as a stream
 * (never all at once), then checked one by one for open complaints (when the filter asks),
 * consent, a stored conversation to send to, and the frequency cap.
 */
export class Audience {
  constructor(private readonly deps: {
    customers: Pick<CustomerRepository, 'streamMatching'>;
    tickets: Pick<TicketRepository, 'listOpenForUser'>;
    conversations: Pick<ConversationRepository, 'findByUsers'>;
    frequencyCap: FrequencyCap;
  }) {}

  /** Every customer in the audience, in the store's order (by id), in batches of `batchSize`. */
  async *batches(filter: AudienceFilter, batchSize: number): AsyncIterable<Customer[]> {
    let batch: Customer[] = [];
    for await (const customer of this.deps.customers.streamMatching(customerQueryOf(filter))) {
      if (!matchesFilter(customer, filter)) continue;
      batch.push(customer);
      if (batch.length >= batchSize) {
        yield await this.withComplaintFilter(batch, filter);
        batch = [];
      }
    }
    if (batch.length) yield await this.withComplaintFilter(batch, filter);
  }

  /** The customer's most recently active conversation that has a stored reference, across their chat identities. */
  async latestConversation(customer: Customer): Promise<Conversation | undefined> {
    return (await this.latestConversations([customer])).get(customer.id);
  }

  /** {@link latestConversation} for a batch of customers, in one lookup. */
  async latestConversations(customers: Customer[]): Promise<Map<string, Conversation>> {
    const owner = new Map<string, string>();
    for (const c of customers) for (const u of c.channelUsers) owner.set(`${u.channelId}\n${u.userId}`, c.id);
    const latest = new Map<string, Conversation>();
    if (!owner.size) return latest;
    const found = await this.deps.conversations.findByUsers(customers.flatMap((c) => c.channelUsers));
    for (const conversation of found) {
      const customerId = owner.get(`${conversation.channelId}\n${conversation.userId}`);
      if (!customerId || !conversation.reference?.conversation?.id || !conversation.reference.serviceUrl) continue;
      const known = latest.get(customerId);
      if (!known || known.lastActivityAt.getTime() < conversation.lastActivityAt.getTime()) latest.set(customerId, conversation);
    }
    return latest;
  }

  async hasOpenComplaint(customer: Customer): Promise<boolean> {
    for (const u of customer.channelUsers) {
      if ((await this.deps.tickets.listOpenForUser(u.channelId, u.userId)).length) return true;
    }
    return false;
  }

  /**
   * Verdicts for a batch, in the batch's order: consent first (no lookup), then a conversation
   * to send to, then the cap — one conversation lookup and one cap lookup for the whole batch.
   */
  async verdicts(customers: Customer[], terms: CampaignTerms, now: Date): Promise<AudienceVerdict[]> {
    const consenting = customers.filter((c) => hasConsent(c, terms.kind));
    const conversations = await this.latestConversations(consenting);
    const capped = await this.deps.frequencyCap.cappedAmong(terms, [...conversations.keys()], now);
    return customers.map((customer): AudienceVerdict => {
      if (!hasConsent(customer, terms.kind)) return { state: 'unreachable', reason: 'no_consent' };
      const conversation = conversations.get(customer.id);
      if (!conversation) return { state: 'unreachable', reason: 'no_reference' };
      if (capped.has(customer.id)) return { state: 'skipped', reason: 'frequency_cap' };
      return { state: 'pending', conversation };
    });
  }

  /** How many match, and of those how many could be reached now (and how many the cap holds back). */
  async preview(terms: CampaignTerms, filter: AudienceFilter, now: Date): Promise<AudiencePreview> {
    const preview: AudiencePreview = { matching: 0, reachable: 0, frequencyCapped: 0, noConsent: 0, noConversation: 0 };
    for await (const batch of this.batches(filter, PREVIEW_BATCH)) {
      preview.matching += batch.length;
      for (const verdict of await this.verdicts(batch, terms, now)) {
        if (verdict.state === 'unreachable') {
          if (verdict.reason === 'no_consent') preview.noConsent += 1; else preview.noConversation += 1;
          continue;
        }
        preview.reachable += 1;
        if (verdict.state === 'skipped') preview.frequencyCapped += 1;
      }
    }
    return preview;
  }

  private async withComplaintFilter(batch: Customer[], filter: AudienceFilter): Promise<Customer[]> {
    if (filter.hasOpenComplaint === undefined) return batch;
    const open = await mapLimited(batch, CHECK_CONCURRENCY, (c) => this.hasOpenComplaint(c));
    return batch.filter((_c, i) => open[i] === filter.hasOpenComplaint);
  }
}

/** Maps with at most `limit` calls in flight, keeping the input order. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next;
      next += 1;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
