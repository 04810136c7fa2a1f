import { z } from 'zod';
import { AppError } from '../appError';
import type { Language } from '../i18n/localizer';

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

/**
 * Port for customers. A channel user belongs to at most one customer; linking it to a
 * second one is refused (AppError 409) rather than silently moving a client's history.
 */
export interface CustomerRepository {
  /** Creates the customer with this CRM id or updates the given fields; returns the stored customer. */
  upsertByExternalId(externalId: string, fields: CustomerFields, at?: Date): Promise<Customer>;
  /** Creates a customer known only from chat (no CRM id yet). */
  create(fields: CustomerFields & { channelUsers?: ChannelUser[] }, at?: Date): Promise<Customer>;
  /** The customer this chat identity is linked to, or undefined. */
  findByChannelUser(channelId: string, userId: string): Promise<Customer | undefined>;
  /** Links a chat identity to a customer (idempotent); throws AppError 404/409. */
  linkChannelUser(customerId: string, channelUser: ChannelUser, at?: Date): Promise<Customer>;
  get(customerId: string): Promise<Customer | undefined>;
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
}).partial().strict();

/**
 * Validates and normalises the fields an import or the bot sets, the same way for every
 * repository (the embedded store has no schema of its own); throws AppError 400 naming the fields.
 */
export function validateCustomerFields(fields: unknown): CustomerFields {
  const result = customerFieldsSchema.safeParse(fields ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw AppError.badRequest('customer_invalid', `Invalid customer fields: ${problems}`, { problems: result.error.issues.map((i) => i.path.join('.')) });
  }
  return Object.fromEntries(Object.entries(result.data).filter(([, v]) => v !== undefined)) as CustomerFields;
}
