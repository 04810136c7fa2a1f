import { z } from 'zod';
import { AppError } from '../appError';
import type { Language } from '../i18n/localizer';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { parsePhone } from '../contact/contactValidator';

/** Value tier: high-value clients get priority routing. */
export type CustomerTier = 'standard' | 'priority' | 'premier';
export const CUSTOMER_TIERS: readonly CustomerTier[] = ['standard', 'priority', 'premier'];

/** One chat identity of a client (the same client may write from Teams and Web Chat). */
export interface ChannelUser {
  channelId: string;
  userId: string;
}

/** What the client agreed to be contacted for. */
export interface CustomerConsent {
  surveys: boolean;
  marketing: boolean;
}

/** A business client (contact person of an SME) as the bank knows them. */
export interface Customer {
  id: string;
  /** Id in the bank's CRM; unique when present. */
  externalId?: string;
  channelUsers: ChannelUser[];
  name?: string;
  company?: string;
  phone?: string;
  email?: string;
  language?: Language;
  tier: CustomerTier;
  relationshipManager?: string;
  tags: string[];
  consent: CustomerConsent;
  /** IANA time zone for quiet hours; absent = the business time zone. */
  timeZone?: string;
  /** Last chat turn of any linked chat identity (kept to the hour). */
  lastContactAt?: Date;
  /** When the client said "stop / 退订": no campaign reaches them until they consent again. */
  optedOutAt?: Date;
  /** Churn-risk score 0-100 with the signals behind it (see docs/CAMPAIGNS.md), recomputed on each new signal. */
  churnRisk?: ChurnRisk;
  createdAt: Date;
  updatedAt: Date;
}

/** One documented signal behind a churn-risk score and the points it added. */
export interface ChurnSignal {
  code: string;
  points: number;
  /** A short human-readable detail (e.g. "CSAT 2 on 2026-11-20"). */
  detail?: string;
}

export interface ChurnRisk {
  score: number;
  signals: ChurnSignal[];
  computedAt: Date;
}

/** Fields an import or the bot may set; omitted fields are left as they are. */
export type CustomerFields = Partial<Omit<Customer, 'id' | 'externalId' | 'channelUsers' | 'createdAt' | 'updatedAt'>>;

/** What {@link CustomerRepository.update} sets; `optedOutAt: null` clears an opt-out (the client consented again). */
export type CustomerUpdate = Omit<CustomerFields, 'optedOutAt'> & { lastContactAt?: Date; optedOutAt?: Date | null; churnRisk?: ChurnRisk };

/** A campaign audience: every given criterion must hold (within one, any value matches). */
export interface CustomerQuery {
  tiers?: CustomerTier[];
  /** At least one of these tags. */
  tagsAny?: string[];
  languages?: Language[];
  relationshipManagers?: string[];
  /** Not contacted since this instant: lastContactAt before it, or never. */
  lastContactBefore?: Date;
}

export type CustomerSort = 'churnRisk' | 'name' | 'company' | 'tier' | 'lastContactAt';
export const CUSTOMER_SORTS: readonly CustomerSort[] = ['churnRisk', 'name', 'company', 'tier', 'lastContactAt'];

/** One page of the console's customer list. */
export interface CustomerListOptions {
  /** Case-insensitive substring of name, company, externalId or phone. */
  q?: string;
  /** Default 'name'; churnRisk sorts by score (none = 0); tier by rank standard < priority < premier. Ties by id. */
  sort?: CustomerSort;
  order?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
}

/**
 * Port for customers. A channel user belongs to at most one customer; linking it to a
 * second one is refused (AppError 409) rather than silently moving a client's history.
 */
export interface CustomerRepository {
  /** Creates the customer with this CRM id or updates the given fields; returns the stored customer. */
  upsertByExternalId(externalId: string, fields: CustomerUpdate, at?: Date): Promise<Customer>;
  /** Creates a customer known only from chat (no CRM id yet). */
  create(fields: CustomerUpdate & { channelUsers?: ChannelUser[] }, at?: Date): Promise<Customer>;
  /** The customer this chat identity is linked to, or undefined. */
  findByChannelUser(channelId: string, userId: string): Promise<Customer | undefined>;
  /** Links a chat identity to a customer (idempotent); throws AppError 404/409. */
  linkChannelUser(customerId: string, channelUser: ChannelUser, at?: Date): Promise<Customer>;
  get(customerId: string): Promise<Customer | undefined>;
  /** Sets the given fields (null optedOutAt clears it) and updatedAt; throws AppError 404 when missing, 400 when invalid. */
  update(customerId: string, fields: CustomerUpdate, at?: Date): Promise<Customer>;
  /** Customers whose stored (E.164) phone is this number, normalised the same way; ordered by id. */
  findByPhone(phone: string): Promise<Customer[]>;
  /**
   * Creates customers with these CRM ids in one write (bulk import); an id that already exists
   * is left untouched and returned in `existing` (the caller updates it instead). Throws
   * AppError 400 before writing anything when any entry is invalid.
   */
  insertMany(entries: Array<{ externalId: string; fields: CustomerUpdate }>, at?: Date): Promise<{ inserted: number; existing: string[] }>;
  /** Customers with these CRM ids (unknown ids are left out), for batched imports. */
  findByExternalIds(externalIds: string[]): Promise<Customer[]>;
  /** Every matching customer, ordered by id, read in batches (never all at once). */
  streamMatching(query: CustomerQuery): AsyncIterable<Customer>;
  countMatching(query: CustomerQuery): Promise<number>;
  /** One page of customers and the total matching `q`. */
  list(options: CustomerListOptions): Promise<{ items: Customer[]; total: number }>;
}

/** Sort rank of a tier (the list sorts tiers by value, not alphabetically). */
export const TIER_RANK: Record<CustomerTier, number> = { standard: 0, priority: 1, premier: 2 };

/**
 * Splits validated fields into what a store sets and unsets, adding the fields the list sorts
 * by (`tierRank`, `churnScore`), which both stores keep next to the customer and never return.
 */
export function customerWrite(valid: CustomerUpdate): { set: Record<string, unknown>; unset: Record<string, true> } {
  const set: Record<string, unknown> = {};
  const unset: Record<string, true> = {};
  for (const [key, value] of Object.entries(valid)) {
    if (value === null) unset[key] = true;
    else set[key] = value;
  }
  if (valid.tier) set.tierRank = TIER_RANK[valid.tier];
  if (valid.churnRisk) set.churnScore = valid.churnRisk.score;
  return { set, unset };
}

/** Stored-only fields that are not part of a Customer. */
export const DERIVED_FIELDS = ['tierRank', 'churnScore'] as const;

/** Largest page the list gives. */
export const MAX_LIST_LIMIT = 200;

/** Escapes a user's text for use inside a RegExp (search is a substring match, never a pattern). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A phone number as the repositories store it: E.164 (China by default: mobiles, landlines
 * with their area code, +86/0086, or an international number). Undefined when it is not a
 * valid number. The chat dialogs' validator is tried first so a number the client typed and
 * the imported one normalise alike; libphonenumber (region CN) takes what it leaves.
 */
export function normalizePhone(raw: string): string | undefined {
  if (typeof raw !== 'string' || !raw.trim()) return undefined;
  const parsed = parsePhone(raw);
  if (parsed) return parsed.value;
  const number = parsePhoneNumberFromString(raw.normalize('NFKC').trim(), 'CN');
  return number?.isValid() ? number.number : undefined;
}


/** Defaults of a new customer: standard tier, no consent until the client gives it. */
export const NEW_CUSTOMER_DEFAULTS: Pick<Customer, 'tier' | 'tags' | 'consent'> = {
  tier: 'standard',
  tags: [],
  consent: { surveys: false, marketing: false },
};

/** The single string a channel user is indexed by (unique across customers). */
export function channelUserKey(channelUser: ChannelUser): string {
  if (!channelUser?.channelId || !channelUser.userId) throw new Error('A channel user needs channelId and userId');
  return `${channelUser.channelId}:${channelUser.userId}`;
}

const customerFieldsSchema = z.object({
  name: z.string().trim().min(1).max(200),
  company: z.string().trim().min(1).max(300),
  phone: z.string().trim().min(3).max(40),
  email: z.string().trim().toLowerCase().max(254).regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/),
  language: z.enum(['zh-CN', 'en']),
  tier: z.enum(['standard', 'priority', 'premier']),
  relationshipManager: z.string().trim().min(1).max(100),
  tags: z.array(z.string().trim().min(1).max(50)).max(50),
  consent: z.object({ surveys: z.boolean(), marketing: z.boolean() }).strict(),
  timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone (e.g. Asia/Shanghai) or UTC'),
  lastContactAt: z.date(),
  optedOutAt: z.date().nullable(),
  churnRisk: z.object({
    score: z.number().min(0).max(100),
    signals: z.array(z.object({ code: z.string().min(1), points: z.number(), detail: z.string().optional() }).strict()),
    computedAt: z.date(),
  }).strict(),
}).partial().strict();

let timeZones: Set<string> | undefined;
/** An IANA zone this runtime knows, or UTC. */
export function isTimeZone(zone: string): boolean {
  timeZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  return zone === 'UTC' || timeZones.has(zone);
}

/**
 * Validates and normalises the fields an import or the bot sets, the same way for every
 * repository (the embedded store has no schema of its own); throws AppError 400 naming the fields.
 */
export function validateCustomerFields(fields: unknown): CustomerUpdate {
  const result = customerFieldsSchema.safeParse(fields ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw AppError.badRequest('customer_invalid', `Invalid customer fields: ${problems}`, { problems: result.error.issues.map((i) => i.path.join('.')) });
  }
  return Object.fromEntries(Object.entries(result.data).filter(([, v]) => v !== undefined)) as CustomerUpdate;
}
