import {
  CardFactory, type AdaptiveCardInvokeResponse, type Activity, type AdaptiveCardInvokeValue, type CloudAdapter, type ConversationReference, type Storage, type TurnContext,
} from 'botbuilder';
import type { Logger } from '../logger';
import type { StaffTeamsConversation } from '../config';
import { DEFAULT_CHANNEL_RETRY, withChannelRetries } from '../channelRetry';
import { ADAPTIVE_CARD_CONTENT_TYPE } from '../teamsCardActions';
import { AppError } from '../../services/appError';
import type { Language, Localizer } from '../../services/i18n/localizer';
import type { HandoffCase, HandoffDesk, HandoffEvent } from '../../services/handoff/handoffDesk';
import type { AuditEventRepository } from '../../services/audit/auditEventRepository';
import type { StaffProfile } from '../../services/staff/staffService';
import { HANDOFF_TAKE_VERB, readTakeData, staffCaseCard, type StaffCaseCardOutcome } from './staffCaseCard';

const ERROR_RESPONSE_TYPE = 'application/vnd.microsoft.error';
const CARD_KEY_PREFIX = 'staffTeamsCards/';
const STAFF_CHANNEL_USER = 'rapport-staff-channel';

/** Where a case's card was posted, kept so the card can be updated when the case moves on elsewhere. */
interface PostedCard {
  activityId: string;
  eTag?: string;
}

export interface StaffTeamsDeskOptions {
  adapter: CloudAdapter;
  /** The bot's app id ('' locally). */
  appId: string;
  conversation: StaffTeamsConversation;
  /** The desk the console works, and its queue position for the wait estimate. */
  desk: HandoffDesk & { positionOf(caseId: string): Promise<{ estimatedWaitMinutes: number }> };
  /** Finds the active staff account linked to a Teams user id. */
  staff: { findActiveByTeamsUser(teamsUserId: string | undefined): Promise<StaffProfile | undefined> };
  /** Where each case's card activity id is kept (the bot's state storage: shared by every process). */
  storage: Storage;
  audit?: AuditEventRepository;
  localizer: Localizer;
  /** The staff language of the cards. */
  language: Language;
  timeZone: string;
  logger: Logger;
}

/**
 * Handoff for staff in Microsoft Teams: each new escalation is posted to the staff channel as a
 * card with a Take button; a click (an `adaptiveCard/action` invoke with verb {@link HANDOFF_TAKE_VERB})
 * claims the case through the same desk and rules as the console, as the staff account linked to
 * the clicking Teams user, and is answered with the card saying who took it. Whenever a case is
 * claimed (in Teams or the console) or left by the client, its card is also updated for everyone (best effort).
 */
export class StaffTeamsDesk {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: StaffTeamsDeskOptions) {
    for (const key of ['adapter', 'conversation', 'desk', 'staff', 'storage', 'localizer', 'logger'] as const) {
      if (!options?.[key]) throw new Error(`StaffTeamsDesk needs ${key}`);
    }
  }

  /** Whether an invoke's verb is this desk's (the client cards use other verbs). */
  static handles(invokeValue: AdaptiveCardInvokeValue | undefined): boolean {
    return invokeValue?.action?.verb === HANDOFF_TAKE_VERB;
  }

  /**
   * For the handoff service's local events: posts a card for a new case, updates it when the case
   * is claimed elsewhere or the client leaves. Runs in the background; {@link flush} waits for it.
   */
  onHandoffEvent(event: HandoffEvent): void {
    let work: Promise<void> | undefined;
    if (event.type === 'queued') work = this.postCard(event.case);
    // Also after a Take in Teams: the invoke's answer may reach only the clicker, the update reaches everyone.
    else if (event.type === 'claimed' && event.case.claimedBy) {
      work = this.updateCard(event.case, { kind: 'taken', by: event.case.claimedBy.displayName, at: event.case.claimedAt ?? new Date() });
    } else if (event.type === 'left_queue') work = this.updateCard(event.case, { kind: 'leftQueue', at: event.case.endedAt ?? new Date() });
    if (!work) return;
    const tracked = work.catch((error: Error) => this.options.logger.warn({ err: { message: error?.message }, caseId: caseIdOf(event), event: event.type }, 'staff Teams card not posted or updated'))
      .finally(() => { this.pending.delete(tracked); });
    this.pending.add(tracked);
  }

  /** Waits for the cards being posted or updated (at shutdown). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** True for an activity in the staff channel (any thread of it): staff at work there, not a client. */
  isStaffChannel(activity: Pick<Activity, 'channelId' | 'conversation'>): boolean {
    const conversationId = String(activity.conversation?.id ?? '').split(';')[0];
    return activity.channelId === 'msteams' && conversationId === this.options.conversation.conversationId;
  }

  /** Answers a Take click with the refreshed card (or an error response for a malformed or misplaced click). */
  async handleTake(context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const activity = context.activity;
    if (!this.isStaffChannel(activity)) return errorResponse(403, 'Forbidden', 'cases are taken from the staff channel only');
    const caseId = readTakeData(invokeValue.action?.data);
    if (!caseId) return errorResponse(400, 'BadRequest', 'the Take action carries no case id');
    const found = await this.options.desk.getCase(caseId);
    if (!found) return errorResponse(404, 'NotFound', 'no such case');

    const staff = await this.options.staff.findActiveByTeamsUser(activity.from?.aadObjectId)
      ?? await this.options.staff.findActiveByTeamsUser(activity.from?.id);
    if (!staff) {
      this.options.logger.info({ caseId, teamsUser: activity.from?.aadObjectId ?? activity.from?.id }, 'staff Teams take by an unlinked user');
      return this.cardResponse(found, { kind: 'notAgent' });
    }
    try {
      const claimed = await this.options.desk.claim(caseId, { staffId: staff.staffId, displayName: staff.displayName, role: staff.role });
      await this.options.audit?.add({ type: 'claim', at: new Date(), staffId: staff.staffId, caseId, detail: { via: 'teams' } })
        .catch((error: Error) => this.options.logger.warn({ err: { message: error.message }, caseId }, 'claim audit not written'));
      return this.cardResponse(claimed, { kind: 'taken', by: staff.displayName, at: claimed.claimedAt ?? new Date() });
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 409) throw error;
      const now = (await this.options.desk.getCase(caseId)) ?? found;
      return this.cardResponse(now, outcomeOf(now));
    }
  }

  private cardResponse(handoffCase: HandoffCase, outcome: StaffCaseCardOutcome): AdaptiveCardInvokeResponse {
    return { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: this.card(handoffCase, outcome) };
  }

  private card(handoffCase: HandoffCase, outcome: StaffCaseCardOutcome, estimatedWaitMinutes?: number): Record<string, unknown> {
    return staffCaseCard(this.options.localizer, this.options.language, this.options.timeZone, { handoffCase, outcome, estimatedWaitMinutes });
  }

  private async postCard(handoffCase: HandoffCase): Promise<void> {
    const { estimatedWaitMinutes } = await this.options.desk.positionOf(handoffCase.caseId);
    const card = this.card(handoffCase, { kind: 'open' }, estimatedWaitMinutes);
    const activityId = await this.inStaffChannel(async (context) => (await context.sendActivity({ type: 'message', attachments: [CardFactory.adaptiveCard(card)] }))?.id, 'post');
    if (!activityId) return;
    await this.options.storage.write({ [CARD_KEY_PREFIX + handoffCase.caseId]: { activityId } satisfies PostedCard });
  }

  private async updateCard(handoffCase: HandoffCase, outcome: StaffCaseCardOutcome): Promise<void> {
    const key = CARD_KEY_PREFIX + handoffCase.caseId;
    const posted = (await this.options.storage.read([key]))[key] as PostedCard | undefined;
    if (!posted?.activityId) return;
    const card = this.card(handoffCase, outcome);
    await this.inStaffChannel(async (context) => {
      await context.updateActivity({ type: 'message', id: posted.activityId, attachments: [CardFactory.adaptiveCard(card)] });
      return posted.activityId;
    }, 'update');
  }

  /** Runs `send` in a proactive turn on the staff channel, retried on 429/5xx; its failure is thrown here, never sent to onTurnError. */
  private async inStaffChannel(send: (context: TurnContext) => Promise<string | undefined>, what: string): Promise<string | undefined> {
    const { serviceUrl, conversationId, tenantId } = this.options.conversation;
    const reference = {
      channelId: 'msteams', serviceUrl,
      conversation: { id: conversationId, isGroup: true, conversationType: 'channel', ...(tenantId ? { tenantId } : {}) },
      bot: { id: this.options.appId || 'rapport', name: 'Rapport' },
      // No one user: the channel. The transcript logger needs a `from` for the proactive turn.
      user: { id: STAFF_CHANNEL_USER, name: 'staff channel', role: 'user' },
    } as Partial<ConversationReference> as ConversationReference;
    return withChannelRetries(async () => {
      let outcome: { id?: string; error?: unknown } = {};
      await this.options.adapter.continueConversationAsync(this.options.appId, reference, async (context) => {
        // A new post in the channel, not a reply to the proactive turn's own (made-up) activity id.
        context.onSendActivities(async (_context, activities, next) => {
          for (const activity of activities) delete activity.replyToId;
          return next();
        });
        try {
          outcome = { id: await send(context) };
        } catch (error) {
          outcome = { error };
        }
      });
      if (outcome.error) throw outcome.error;
      return outcome.id;
    }, DEFAULT_CHANNEL_RETRY, this.options.logger, { conversationId }, `staff Teams card ${what}`);
  }
}

/** What a lost claim looks like on the card: taken by whom, or the client no longer waiting. */
function outcomeOf(handoffCase: HandoffCase): StaffCaseCardOutcome {
  if (handoffCase.claimedBy) return { kind: 'alreadyTaken', by: handoffCase.claimedBy.displayName };
  if (handoffCase.status === 'bot' && handoffCase.endedAt) return { kind: 'leftQueue', at: handoffCase.endedAt };
  return { kind: 'notQueued' };
}

function errorResponse(statusCode: number, code: string, message: string): AdaptiveCardInvokeResponse {
  return { statusCode, type: ERROR_RESPONSE_TYPE, value: { code, message } as unknown as Record<string, unknown> };
}

function caseIdOf(event: HandoffEvent): string | undefined {
  return 'case' in event ? event.case.caseId : undefined;
}
