/**
 * The churn-risk score of a client: a pure function from documented signals to a score 0-100
 * and the signals behind it. Every signal, its points and its cap is listed in docs/ANALYTICS.md;
 * keep the two in step.
 */
import type { ChurnSignal } from '../customers/customerRepository';

const DAY_MS = 24 * 60 * 60 * 1000;

/** How far back each signal looks. */
export const SATISFACTION_WINDOW_DAYS = 90;
export const TONE_WINDOW_DAYS = 30;
export const CONTACT_WINDOW_DAYS = 30;
/** The "usual" contact rate is the monthly average over this many 30-day months before the last 30 days. */
export const CONTACT_BASELINE_MONTHS = 6;
/** At least this many months of history before the last 30 days, or fewer contacts is not judged. */
export const CONTACT_MIN_HISTORY_MONTHS = 2;
export const CALLBACK_WINDOW_DAYS = 90;
/** Staff get this long after a slot ends to record the call's outcome before the system judges it missed. */
export const DEFAULT_CALLBACK_GRACE_MINUTES = 60;

/** Points per occurrence and the cap of each signal (the total is capped at {@link MAX_SCORE}). */
export const CHURN_POINTS = {
  /** Each CSAT of 1-2 or NPS of 0-6 in the last 90 days. */
  lowSatisfaction: { each: 15, cap: 30 },
  /** Each complaint still open (open / in progress). */
  openComplaint: { each: 10, cap: 20 },
  /** Each open complaint past its SLA due time (on top of openComplaint). */
  overdueComplaint: { each: 15, cap: 30 },
  /** Each negative-sentiment message in the last 30 days. */
  negativeTone: { each: 3, cap: 15 },
  /** Contacts in the last 30 days fell to half the usual monthly rate or less: up to 20 at no contact. */
  fewerContacts: { each: 20, cap: 20 },
  /** Each callback missed in the last 90 days. */
  missedCallback: { each: 10, cap: 20 },
} as const;

export const MAX_SCORE = 100;
/** A drop in contacts counts from this fraction of the usual rate down (0.5 = half as many or fewer). */
export const CONTACT_DROP_THRESHOLD = 0.5;
/** Below this usual monthly rate a quiet month is normal, not a signal. */
export const CONTACT_MIN_USUAL_PER_MONTH = 2;

/** One satisfaction answer: a CSAT rating (1-5) or an NPS score (0-10). */
export interface SatisfactionSignal {
  kind: 'csat' | 'nps';
  score: number;
  at: Date;
}

/** A complaint as the score sees it. */
export interface ComplaintSignal {
  reference: string;
  /** open / in_progress count as open; resolved / closed do not count. */
  status: string;
  slaDueAt: Date;
}

/** A callback as the score sees it. */
export interface CallbackSignal {
  reference: string;
  /** booked / done / cancelled / missed */
  status: string;
  slotStart: Date;
}

/** Everything the score is computed from. Absent lists count as empty. */
export interface ChurnInputs {
  now: Date;
  satisfaction?: SatisfactionSignal[];
  complaints?: ComplaintSignal[];
  /** Instants of the client's negative-sentiment messages. */
  negativeMessages?: Date[];
  /** Instants the client started a contact (conversations). */
  contacts?: Date[];
  /** Since when the client's contact history is known (first contact or customer creation); absent = the earliest contact. */
  historySince?: Date;
  callbacks?: CallbackSignal[];
  /** Length of a callback slot (default 30). */
  callbackSlotMinutes?: number;
  /** How long after its slot a callback nobody worked counts as missed (default {@link DEFAULT_CALLBACK_GRACE_MINUTES}). */
  callbackGraceMinutes?: number;
}

export interface ChurnScore {
  score: number;
  signals: ChurnSignal[];
}

const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const capped = (rule: { each: number; cap: number }, n: number) => Math.min(rule.cap, Math.max(0, n) * rule.each);

/** Low satisfaction: CSAT 1-2, or NPS 0-6 (a detractor). */
export function isLowSatisfactionScore(kind: 'csat' | 'nps', score: number): boolean {
  return kind === 'nps' ? score >= 0 && score <= 6 : score >= 1 && score <= 2;
}

/** When a callback that nobody worked is judged: its slot's length and the grace staff get after it. */
export interface CallbackTiming {
  slotMinutes: number;
  graceMinutes: number;
}

/**
 * Staff outcomes decide first: a callback marked `missed` is missed and one marked `done` is
 * kept, whenever that was recorded. Only a callback still `booked` more than the grace period
 * after its slot ended (nobody recorded an outcome) is judged missed by the clock. Cancelled
 * ones are neither.
 */
export function isMissedCallback(callback: CallbackSignal, now: Date, timing: CallbackTiming): boolean {
  if (callback.status === 'missed') return true;
  if (callback.status !== 'booked') return false;
  return new Date(callback.slotStart).getTime() + (timing.slotMinutes + timing.graceMinutes) * 60_000 <= now.getTime();
}

/** The churn-risk score (0-100, deterministic) and the signals that made it, in a fixed order. */
export function computeChurnRisk(inputs: ChurnInputs): ChurnScore {
  const now = inputs.now.getTime();
  const within = (at: Date, days: number) => {
    const t = new Date(at).getTime();
    return t <= now && t > now - days * DAY_MS;
  };
  const signals: ChurnSignal[] = [];
  const add = (code: string, points: number, detail: string) => { if (points > 0) signals.push({ code, points, detail }); };

  const low = (inputs.satisfaction ?? [])
    .filter((a) => within(a.at, SATISFACTION_WINDOW_DAYS) && isLowSatisfactionScore(a.kind, a.score))
    .sort((a, b) => new Date(b.at).getTime() - new Date(a.at).getTime() || a.score - b.score);
  add('low_satisfaction', capped(CHURN_POINTS.lowSatisfaction, low.length),
    low.map((a) => `${a.kind === 'nps' ? 'NPS' : 'CSAT'} ${a.score} on ${isoDate(new Date(a.at))}`).join('; '));

  const open = (inputs.complaints ?? []).filter((c) => c.status === 'open' || c.status === 'in_progress');
  const overdue = open.filter((c) => new Date(c.slaDueAt).getTime() < now);
  add('open_complaints', capped(CHURN_POINTS.openComplaint, open.length), `${open.length} open: ${open.map((c) => c.reference).sort().join(', ')}`);
  add('overdue_complaints', capped(CHURN_POINTS.overdueComplaint, overdue.length), `${overdue.length} past SLA: ${overdue.map((c) => c.reference).sort().join(', ')}`);

  const negative = (inputs.negativeMessages ?? []).filter((at) => within(at, TONE_WINDOW_DAYS)).length;
  add('negative_tone', capped(CHURN_POINTS.negativeTone, negative), `${negative} negative messages in ${TONE_WINDOW_DAYS} days`);

  const fewer = fewerContacts(inputs, now);
  if (fewer) add('fewer_contacts', fewer.points, fewer.detail);

  const timing = { slotMinutes: inputs.callbackSlotMinutes ?? 30, graceMinutes: inputs.callbackGraceMinutes ?? DEFAULT_CALLBACK_GRACE_MINUTES };
  const missed = (inputs.callbacks ?? [])
    .filter((c) => within(c.slotStart, CALLBACK_WINDOW_DAYS) && isMissedCallback(c, inputs.now, timing));
  add('missed_callbacks', capped(CHURN_POINTS.missedCallback, missed.length), `${missed.length} missed: ${missed.map((c) => c.reference).sort().join(', ')}`);

  const total = signals.reduce((sum, s) => sum + s.points, 0);
  return { score: Math.min(MAX_SCORE, total), signals };
}

/**
 * Contacts in the last 30 days against the client's own monthly average over the up-to-6
 * months before; judged only with at least 2 months of that history and a usual rate of 2+.
 * Points grow linearly from 0 at half the usual rate to the cap at no contact at all.
 */
function fewerContacts(inputs: ChurnInputs, now: number): { points: number; detail: string } | undefined {
  const contacts = (inputs.contacts ?? []).map((d) => new Date(d).getTime()).filter((t) => t <= now);
  const windowStart = now - CONTACT_WINDOW_DAYS * DAY_MS;
  const since = inputs.historySince ? new Date(inputs.historySince).getTime() : Math.min(...contacts, now);
  const baselineStart = Math.max(since, windowStart - CONTACT_BASELINE_MONTHS * 30 * DAY_MS);
  const historyMonths = (windowStart - baselineStart) / (30 * DAY_MS);
  if (historyMonths < CONTACT_MIN_HISTORY_MONTHS) return undefined;
  const recent = contacts.filter((t) => t > windowStart).length;
  const before = contacts.filter((t) => t > windowStart - CONTACT_BASELINE_MONTHS * 30 * DAY_MS && t <= windowStart).length;
  const usual = before / historyMonths;
  if (usual < CONTACT_MIN_USUAL_PER_MONTH) return undefined;
  const ratio = recent / usual;
  if (ratio > CONTACT_DROP_THRESHOLD) return undefined;
  const points = Math.round(CHURN_POINTS.fewerContacts.cap * (1 - ratio / CONTACT_DROP_THRESHOLD));
  return { points, detail: `${recent} contacts in ${CONTACT_WINDOW_DAYS} days, usually ${usual.toFixed(1)} a month` };
}
