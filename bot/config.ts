/**
 * Rapport's configuration: the only module that reads `process.env`. Every key has a
 * default (or is optional) and a one-line description; `.env.example` lists the same keys.
 * A bad value stops the start with one line naming the variable.
 */
import path from 'node:path';
import dotenv from 'dotenv';
import { z } from 'zod';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const optionalUrl = (protocols: string[]) => z.string().trim().optional().transform((v) => (v ? v : undefined)).refine(
  (v) => v === undefined || (URL.canParse(v) && protocols.includes(new URL(v).protocol)),
  { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
);
/** The staff Teams channel conversation the handoff cards are posted to. */
export interface StaffTeamsConversation {
  serviceUrl: string;
  conversationId: string;
  tenantId?: string;
}

/**
 * `STAFF_TEAMS_CONVERSATION`: JSON `{"serviceUrl","conversationId","tenantId"?}` or
 * `serviceUrl|conversationId[|tenantId]`; empty = no staff Teams cards.
 */
const staffTeamsConversation = z.string().trim().optional().transform((value, ctx): StaffTeamsConversation | undefined => {
  if (!value) return undefined;
  let fields: Record<string, unknown>;
  if (value.startsWith('{')) {
    try {
      fields = JSON.parse(value) as Record<string, unknown>;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not valid JSON (expected {"serviceUrl","conversationId","tenantId"} or serviceUrl|conversationId|tenantId)' });
      return z.NEVER;
    }
  } else {
    const [serviceUrl, conversationId, tenantId] = value.split('|').map((part) => part.trim());
    fields = { serviceUrl, conversationId, tenantId };
  }
  const serviceUrl = typeof fields.serviceUrl === 'string' ? fields.serviceUrl.trim() : '';
  const conversationId = typeof fields.conversationId === 'string' ? fields.conversationId.trim() : '';
  const tenantId = typeof fields.tenantId === 'string' ? fields.tenantId.trim() : '';
  if (!URL.canParse(serviceUrl) || !['https:', 'http:'].includes(new URL(serviceUrl).protocol)) {
    ctx.addIssue({ code: 'custom', message: 'needs a serviceUrl starting with https:// (e.g. https://smba.trafficmanager.net/apac/)' });
    return z.NEVER;
  }
  if (!conversationId) {
    ctx.addIssue({ code: 'custom', message: 'needs the channel conversation id (e.g. 19:…@thread.tacv2)' });
    return z.NEVER;
  }
  return { serviceUrl, conversationId, ...(tenantId ? { tenantId } : {}) };
});
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM');

/** Each key: schema with default, and its description (used for docs and .env.example). */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development').describe('Runtime mode'),
  PORT: int(0, 65535).default(3978).describe('HTTP port of the bot server'),
  HOST: z.string().default('0.0.0.0').describe('Interface to listen on'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level; message text is only logged at debug'),
  MicrosoftAppId: z.string().default('').describe('Bot Framework app id; empty disables auth (local use, Emulator)'),
  MicrosoftAppPassword: z.string().default('').describe('Bot Framework app password (MultiTenant/SingleTenant)'),
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant').describe('Bot Framework app type'),
  MicrosoftAppTenantId: z.string().default('').describe('Tenant id for SingleTenant/UserAssignedMSI apps'),
  MAX_BODY_BYTES: int(1024).default(256 * 1024).describe('Largest accepted request body in bytes (larger gets 413)'),
  REDIS_URL: optionalUrl(['redis:', 'rediss:']).describe('Redis for conversation/user state and locks; empty = embedded storage'),
  REDIS_KEY_PREFIX: z.string().default('rapport:').describe('Prefix of every Redis key'),
  CONVERSATION_STATE_TTL_SECONDS: int(60).default(7 * 24 * 3600).describe('Idle conversation state expires after this many seconds'),
  USER_STATE_TTL_SECONDS: int(60).default(180 * 24 * 3600).describe('User state expires after this many seconds without a visit'),
  MONGODB_URI: optionalUrl(['mongodb:', 'mongodb+srv:']).describe('MongoDB for transcripts and business data; empty = embedded storage'),
  DATA_DIR: z.string().default('./data').describe('Folder for embedded storage files (used when Redis/Mongo are not configured)'),
  TRANSCRIPT_BATCH_SIZE: int(1, 10000).default(200).describe('Transcript entries written per batch'),
  TRANSCRIPT_FLUSH_MS: int(5, 60000).default(100).describe('Longest wait before a partial transcript batch is written'),
  TRANSCRIPT_MAX_BUFFERED: int(100).default(50000).describe('Buffered transcript entries beyond which /readyz fails'),
  LOCK_TTL_MS: int(100).default(30000).describe('A crashed turn releases its conversation lock after this long'),
  LOCK_WAIT_MS: int(100).default(20000).describe('How long a turn waits for its conversation lock'),
  SHUTDOWN_TIMEOUT_MS: int(100).default(10000).describe('Grace period for in-flight turns on SIGTERM'),
  SHUTDOWN_FLUSH_TIMEOUT_MS: int(100).default(60000).describe('Longest wait on SIGTERM for buffered transcripts to be written'),
  BANK_NAME_ZH: z.string().default('融通银行').describe('Bank name shown to clients in Chinese'),
  BANK_NAME_EN: z.string().default('Rongtong Bank').describe('Bank name shown to clients in English'),
  CHAT_ACCENT_COLOR: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a #RRGGBB colour').default('#B4232A').describe('Accent colour of the Web Chat page at /chat (#RRGGBB)'),
  DIRECTLINE_SECRET: z.string().default('').describe('Secret for the built-in Direct Line (/v3/directline tokens/generate, conversations); empty = only /chat mints tokens'),
  DIRECTLINE_TOKEN_SECRET: z.string().default('').refine((v) => v === '' || v.length >= 16, 'must be at least 16 characters').describe('Key signing Direct Line tokens (16+ chars); empty = derived from DIRECTLINE_SECRET, else random per process'),
  DIRECTLINE_TOKEN_TTL_SECONDS: int(60, 24 * 3600).default(1800).describe('Lifetime of a Direct Line token (clients refresh at half of it)'),
  DIRECTLINE_MESSAGES_PER_MINUTE: int(1).default(60).describe('Activities a Direct Line conversation may post per minute (more gets 429)'),
  DIRECTLINE_KEEPALIVE_MS: int(1000).default(20000).describe('Interval of empty keep-alive messages on a Direct Line stream'),
  DIRECTLINE_HISTORY_LIMIT: int(10).default(1000).describe('Activities kept per Direct Line conversation for polling and reconnects'),
  BUSINESS_TIMEZONE: z.string().default('Asia/Shanghai').refine((tz) => Intl.supportedValuesOf('timeZone').includes(tz) || tz === 'UTC', 'must be an IANA time zone').describe('Business time zone'),
  BUSINESS_OPENS: hhmm.default('09:00').describe('Business hours start (local time)'),
  BUSINESS_CLOSES: hhmm.default('17:30').describe('Business hours end (local time)'),
  CALENDAR_DIR: z.string().default('./config/calendars').describe('Folder of holiday/make-up workday calendar files (one per year)'),
  COMPLAINT_SLA_HOURS_LOW: z.coerce.number().positive().default(40).describe('Business hours to resolve a low-severity complaint'),
  COMPLAINT_SLA_HOURS_MEDIUM: z.coerce.number().positive().default(16).describe('Business hours to resolve a medium-severity complaint'),
  COMPLAINT_SLA_HOURS_HIGH: z.coerce.number().positive().default(8).describe('Business hours to resolve a high-severity complaint'),
  COMPLAINT_SLA_HOURS_CRITICAL: z.coerce.number().positive().default(4).describe('Business hours to resolve a critical complaint'),
  CALLBACK_SLOT_MINUTES: int(5, 240).default(30).describe('Length of a callback slot'),
  CALLBACK_STAFF_ON_DUTY: int(1, 1000).default(2).describe('Callbacks bookable per slot (staff on duty)'),
  CALLBACK_REMINDER_MINUTES: int(1, 24 * 60).default(30).describe('Reminder sent this many minutes before a callback'),
  CALLBACK_REMINDER_INTERVAL_MS: int(1000).default(30000).describe('How often due reminders are claimed and sent'),
  CALLBACK_OUTCOME_GRACE_MINUTES: int(0, 7 * 24 * 60).default(60).describe('A callback nobody marked done or missed counts as missed this many minutes after its slot ends'),
  CALLBACK_MISSED_MESSAGE_TIMEOUT_MS: int(1000, 120000).default(15000).describe('After a missed call, how long the message telling the client may take before it is given up'),
  CAMPAIGN_SENDER_ENABLED: z.enum(['true', 'false']).default('true').transform((v) => v === 'true').describe('Send running campaigns from this process (every process may; claims keep each message single)'),
  CAMPAIGN_POLL_MS: int(100).default(5000).describe('How often the campaign sender looks for recipients to send'),
  CAMPAIGN_BATCH_SIZE: int(1, 5000).default(100).describe('Campaign recipients read per batch (the list is streamed, never loaded whole)'),
  CAMPAIGN_CONCURRENCY: int(1, 256).default(8).describe('Campaign sends in flight at once per process'),
  CAMPAIGN_CLAIM_STALE_MS: int(1000).default(120000).describe("A campaign send claimed longer ago by a dead process is marked failed ('interrupted'), never resent"),
  HANDOFF_MINUTES_PER_CASE: int(1, 240).default(6).describe('Average minutes an agent spends on a handoff (for the queue wait estimate)'),
  HANDOFF_STAFF_ON_DUTY: int(1, 1000).default(2).describe('Agents taking handoffs at the same time (for the queue wait estimate)'),
  HANDOFF_MAX_WAIT_MINUTES: int(1, 24 * 60).default(20).describe('Above this estimated wait the client is offered a callback instead of the queue'),
  HANDOFF_NEGATIVE_RUN: int(2, 20).default(3).describe('Negative messages in a row that bring in a person'),
  HANDOFF_STAFF_HOURS: z.enum(['calendar', 'always', 'never']).default('calendar').describe('When agents take handoffs: business hours from the calendar, or always/never (tests, 24x7 desks)'),
  NLU_MODEL_PATH: z.string().default('./data/nlu/model.json').describe('Trained intent model file'),
  NLU_CLARIFY_MARGIN: z.coerce.number().min(0).max(1).default(0.3).describe('When the two most likely intents are closer than this (probabilities 0-1) and both lead to a dialog, the client is asked which one they mean; 0 never asks'),
  KB_DIR: z.string().default('./data/kb').describe('Knowledge base articles folder'),
  SURVEYS_DIR: z.string().default('./data/surveys').describe('Survey definitions folder'),
  TEAMS_APP_ID: z.string().trim().default('').describe('Teams app id (a GUID) for the Teams app package; empty = the MicrosoftAppId'),
  TEAMS_APP_VERSION: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be MAJOR.MINOR.PATCH').default('1.0.0').describe('Teams app package version; raise it for every upload'),
  TEAMS_APP_NAME: z.string().trim().min(1).max(30).default('Rapport').describe('Short name of the Teams app (at most 30 characters)'),
  TEAMS_DEVELOPER_NAME: z.string().trim().default('').describe('Publisher shown in Teams; empty = BANK_NAME_EN'),
  TEAMS_WEBSITE_URL: optionalUrl(['https:']).describe('Bank website shown in the Teams app (https; required by npm run teams:package)'),
  TEAMS_PRIVACY_URL: optionalUrl(['https:']).describe('Privacy statement URL for the Teams app (https; required by npm run teams:package)'),
  TEAMS_TERMS_URL: optionalUrl(['https:']).describe('Terms of use URL for the Teams app (https; required by npm run teams:package)'),
  STAFF_TEAMS_CONVERSATION: staffTeamsConversation.describe('Staff Teams channel for new handoff cards with a Take button: JSON {"serviceUrl","conversationId","tenantId"} or serviceUrl|conversationId|tenantId; empty = none'),
  STAFF_TEAMS_LANGUAGE: z.enum(['zh-CN', 'en']).default('zh-CN').describe('Language of the staff Teams handoff cards (zh-CN or en)'),
  CONSOLE_ENABLED: z.enum(['true', 'false']).default('true').transform((v) => v === 'true').describe('Serve the staff console (/console and /api/console/*)'),
  CONSOLE_SESSION_SECRET: z.string().default('').refine((v) => v === '' || v.length >= 32, 'must be at least 32 characters').describe('Key signing staff console session cookies (32+ chars); required in production, random per process otherwise'),
  CONSOLE_SESSION_TTL_SECONDS: int(300, 7 * 24 * 3600).default(8 * 3600).describe('A staff console session expires after this many seconds'),
  CONSOLE_LOGIN_MAX_FAILURES: int(1, 100).default(5).describe('Failed console logins (per account and per IP) before login is locked'),
  CONSOLE_LOGIN_WINDOW_MINUTES: int(1, 24 * 60).default(15).describe('Window in which failed console logins are counted, and lock duration'),
  ADMIN_EMAIL: z.string().trim().default('').describe('E-mail of the first console admin, created on first start if no admin exists'),
  ADMIN_PASSWORD: z.string().default('').describe('Password of that first admin (12+ characters; never a default); remove after first start'),
});

export type RawConfig = z.infer<typeof configSchema>;

export interface AppConfig extends RawConfig {
  /** Absolute path of the embedded storage folder. */
  dataDir: string;
  storage: { redis: boolean; mongo: boolean };
}

/** Thrown with a one-line message naming the variable. */
export class ConfigError extends Error {}

/**
 * Reads `.env` (if present, without overriding the real environment) and validates.
 * @param env the environment to read; defaults to process.env (after .env is loaded).
 */
export function loadConfig(env?: Record<string, string | undefined>, options: { cwd?: string } = {}): AppConfig {
  const cwd = options.cwd ?? process.cwd();
  let source = env;
  if (!source) {
    dotenv.config({ path: path.join(cwd, '.env'), quiet: true });
    source = process.env;
  }
  const parsed = configSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue.path[0] ?? 'config');
    throw new ConfigError(`Invalid configuration: ${key}=${JSON.stringify(source[key] ?? '')} ${issue.message}`);
  }
  const raw = parsed.data;
  return {
    ...raw,
    dataDir: path.resolve(cwd, raw.DATA_DIR),
    NLU_MODEL_PATH: path.resolve(cwd, raw.NLU_MODEL_PATH),
    CALENDAR_DIR: path.resolve(cwd, raw.CALENDAR_DIR),
    KB_DIR: path.resolve(cwd, raw.KB_DIR),
    SURVEYS_DIR: path.resolve(cwd, raw.SURVEYS_DIR),
    storage: { redis: Boolean(raw.REDIS_URL), mongo: Boolean(raw.MONGODB_URI) },
  };
}

/** `.env.example` text generated from the schema, so the two never drift. */
export function envExample(): string {
  const lines = ['# Rapport configuration. Every key is optional; defaults shown.'];
  for (const [key, schema] of Object.entries(configSchema.shape)) {
    const description = (schema as z.ZodType).description ?? '';
    const parsed = (schema as z.ZodType).safeParse(undefined);
    const value = parsed.success && parsed.data !== undefined ? String(parsed.data) : '';
    lines.push(`# ${description}`, `${key}=${value}`);
  }
  return `${lines.join('\n')}\n`;
}
