import { Template } from 'adaptivecards-templating';
import type { Language, Localizer } from '../../services/i18n/localizer';
import type { HandoffCase } from '../../services/handoff/handoffDesk';
import { maskPii } from '../../services/privacy/piiMasker';
import staffCaseCardTemplate from './staffCaseCard.json';

/** The `verb` of the card's Take button; Teams sends it back in an `adaptiveCard/action` invoke with `{ caseId }`. */
export const HANDOFF_TAKE_VERB = 'handoff.take';

/** Longest preview shown on the card (masked before it is cut, so a cut never leaves digits of a card number unmasked). */
export const PREVIEW_MAX_CHARS = 80;

/** What the card says happened; `open` (the default) is the card as first posted, with the Take button. */
export type StaffCaseCardOutcome =
  | { kind: 'open' }
  | { kind: 'taken'; by: string; at: Date }
  | { kind: 'alreadyTaken'; by: string }
  | { kind: 'notAgent' }
  | { kind: 'leftQueue'; at: Date }
  | { kind: 'notQueued' };

export interface StaffCaseCardInput {
  handoffCase: Pick<HandoffCase, 'caseId' | 'language' | 'reason' | 'priority' | 'queuedAt' | 'detail'>;
  /** Shown when known (when the card is first posted). */
  estimatedWaitMinutes?: number;
  outcome?: StaffCaseCardOutcome;
}

const template = new Template(staffCaseCardTemplate);

/**
 * The Adaptive Card (1.4, Universal Actions) staff see in their Teams channel for one escalation:
 * the client's language, the reason, priority, when they queued and the estimated wait, a short
 * preview with card and ID numbers masked, and — while anyone may still take it — a Take button.
 * All text is in the staff language `language`; times are in `timeZone`.
 */
export function staffCaseCard(localizer: Localizer, language: Language, timeZone: string, input: StaffCaseCardInput): Record<string, unknown> {
  const t = (key: string, params?: Record<string, string>) => localizer.t(language, key, params);
  const time = (at: Date) => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(at));
  const { handoffCase } = input;
  const outcome = input.outcome ?? { kind: 'open' };
  const facts = [
    { title: t('staffTeams.language'), value: t(`console.language.${handoffCase.language}`) },
    { title: t('staffTeams.reason'), value: t(`console.reason.${handoffCase.reason}`) },
    { title: t('staffTeams.priority'), value: String(handoffCase.priority) },
    { title: t('staffTeams.queuedAt'), value: time(handoffCase.queuedAt) },
  ];
  if (input.estimatedWaitMinutes !== undefined) facts.push({ title: t('staffTeams.estimatedWait'), value: t('staffTeams.minutes', { minutes: String(input.estimatedWaitMinutes) }) });
  const status = statusText(outcome, t, time);
  return template.expand({
    $root: {
      title: t('staffTeams.title'), facts,
      previewLabel: t('staffTeams.preview'), preview: preview(handoffCase.detail),
      status, statusColor: outcome.kind === 'taken' ? 'Good' : 'Attention',
      open: outcome.kind === 'open' || outcome.kind === 'notAgent',
      take: t('staffTeams.take'), verb: HANDOFF_TAKE_VERB, caseId: handoffCase.caseId,
    },
  }) as Record<string, unknown>;
}

/** The case id a Take click carries, or undefined when the data is not a Take's. */
export function readTakeData(data: unknown): string | undefined {
  const caseId = (data as { caseId?: unknown } | undefined)?.caseId;
  return typeof caseId === 'string' && caseId.length > 0 && caseId.length <= 100 ? caseId : undefined;
}

function preview(detail: string | undefined): string {
  if (!detail) return '';
  const masked = maskPii(detail.replace(/\s+/g, ' ').trim());
  return masked.length > PREVIEW_MAX_CHARS ? `${masked.slice(0, PREVIEW_MAX_CHARS - 1)}…` : masked;
}

function statusText(outcome: StaffCaseCardOutcome, t: (key: string, params?: Record<string, string>) => string, time: (at: Date) => string): string {
  switch (outcome.kind) {
    case 'open': return '';
    case 'taken': return t('staffTeams.takenBy', { name: outcome.by, time: time(outcome.at) });
    case 'alreadyTaken': return t('staffTeams.alreadyTaken', { name: outcome.by });
    case 'notAgent': return t('staffTeams.notAgent');
    case 'leftQueue': return t('staffTeams.leftQueue', { time: time(outcome.at) });
    case 'notQueued': return t('staffTeams.notQueued');
  }
}
