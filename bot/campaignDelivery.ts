/**
 * Puts a campaign's message or survey into the client's most recent conversation, as a
 * proactive turn that starts the campaign dialog (so the client's next message answers it).
 */
import type { CloudAdapter, ConversationReference, ConversationState, TurnContext } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import type { Logger } from './logger';
import { channelStatus, DEFAULT_CHANNEL_RETRY, withChannelRetries, type ChannelRetryPolicy } from './channelRetry';
import type { Language } from '../services/i18n/localizer';
import type { Conversation, ConversationRepository } from '../models/conversations/conversationRepository';
import type { CampaignDelivery, DeliveryRequest, DeliveryResult } from '../services/campaigns/campaignSender';
import { AppError } from '../services/appError';
import { latestReachable } from '../services/campaigns/campaignContacts';
import { activeDialogIds } from '../dialogs/activeDialogs';
import { MAIN_DIALOG } from '../dialogs/mainDialog';
import { CAMPAIGN_DIALOG, type CampaignDialogOptions } from '../dialogs/campaignDialogOptions';

/** Starts a dialog on a proactive turn (the bot's `beginDialogOutsideTurn`). */
export type BeginDialogOutsideTurn = (context: TurnContext, dialogId: string, options: object, language: Language) => Promise<void>;

export interface BotCampaignDeliveryOptions {
  adapter: CloudAdapter;
  /** The bot's app id ('' locally). */
  appId: string;
  conversations: ConversationRepository;
  conversationState: ConversationState;
  /** Whether the conversation has a handoff case open (queued or with staff). */
  handoff: { openCaseFor(channelId: string, conversationId: string): Promise<{ status: string } | undefined> };
  beginDialogOutsideTurn: BeginDialogOutsideTurn;
  logger: Logger;
  /** Attempts for a 429 or 5xx from the channel (default 4). */
  maxAttempts?: number;
  /** First backoff in ms, doubled per attempt, unless the channel sends Retry-After (default 500). */
  backoffMs?: number;
  /** Longest wait honoured from a Retry-After header (default 30 000 ms). */
  maxRetryAfterMs?: number;
  /** A dialog is "in progress" when the client wrote within this window; older ones are abandoned (default 30 min). */
  activeDialogWindowMs?: number;
  now?: () => Date;
}

/** Dialog ids that are the idle main menu, not a flow the client is in. */
const IDLE_DIALOG_IDS = new Set([MAIN_DIALOG, `${MAIN_DIALOG}.route`]);

/**
 * {@link CampaignDelivery} over the Bot Framework: finds the client's most recent conversation
 * with a stored reference, and in one proactive turn (which runs the adapter's middleware, so
 * the conversation lock is held and the send never interleaves with a client's turn):
 * defers when the client is in a handoff or in the middle of another dialog, else claims the
 * recipient and starts {@link CAMPAIGN_DIALOG} in the client's language.
 *
 * Channel errors: 403/404 → AppError 'unreachable' (reason `channel_403`/`channel_404`); 429 and
 * 5xx are retried per activity with backoff honouring Retry-After, then thrown.
 */
export class BotCampaignDelivery implements CampaignDelivery {
  private readonly retry: ChannelRetryPolicy;
  private readonly activeDialogWindowMs: number;
  private readonly now: () => Date;
  private readonly dialogState;

  constructor(private readonly options: BotCampaignDeliveryOptions) {
    for (const key of ['adapter', 'conversations', 'conversationState', 'handoff', 'beginDialogOutsideTurn', 'logger'] as const) {
      if (!options?.[key]) throw new Error(`BotCampaignDelivery needs ${key}`);
    }
    this.retry = {
      maxAttempts: options.maxAttempts ?? DEFAULT_CHANNEL_RETRY.maxAttempts,
      backoffMs: options.backoffMs ?? DEFAULT_CHANNEL_RETRY.backoffMs,
      maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULT_CHANNEL_RETRY.maxRetryAfterMs,
    };
    this.activeDialogWindowMs = options.activeDialogWindowMs ?? 30 * 60_000;
    this.now = options.now ?? (() => new Date());
    this.dialogState = options.conversationState.createProperty<DialogState>('dialogState');
  }

  async deliver(request: DeliveryRequest): Promise<DeliveryResult> {
    const conversation = request.conversation ?? await this.latestConversation(request);
    if (!conversation) throw new AppError('unreachable', 'the client has no conversation the bot can write to', 404, { reason: 'no_reference' });
    const { channelId, conversationId } = conversation;
    const open = await this.options.handoff.openCaseFor(channelId, conversationId);
    if (open && open.status !== 'closed' && open.status !== 'bot') return { outcome: 'busy', reason: `handoff_${open.status}` };

    let result: DeliveryResult | undefined;
    let failure: unknown;
    await this.options.adapter.continueConversationAsync(this.options.appId, conversation.reference as ConversationReference, async (context) => {
      // Errors are carried out by hand: thrown here they would reach onTurnError, which apologises to the client.
      try {
        if (await this.inDialog(context, conversation)) {
          result = { outcome: 'busy', reason: 'dialog_active' };
          return;
        }
        if (!(await request.claim())) {
          result = { outcome: 'claimed_elsewhere' };
          return;
        }
        context.onSendActivities((_ctx, _activities, next) => withChannelRetries(next, this.retry, this.options.logger, { conversationId }, 'campaign send'));
        const options: CampaignDialogOptions = {
          campaignId: request.campaign.id,
          customerId: request.customer.id,
          kind: request.campaign.kind,
          ...(request.campaign.surveyId ? { surveyId: request.campaign.surveyId } : {}),
          ...(request.campaign.message ? { message: request.campaign.message } : {}),
          ...(request.campaign.followWithCsat !== undefined ? { followWithCsat: request.campaign.followWithCsat } : {}),
        };
        await this.options.beginDialogOutsideTurn(context, CAMPAIGN_DIALOG, options, request.language);
        result = { outcome: 'delivered', channelId, conversationId };
      } catch (error) {
        failure = error;
      }
    });
    if (failure !== undefined) throw channelError(failure);
    if (!result) throw new Error('the proactive turn did not run');
    return result;
  }

  /** The customer's most recently active conversation that has a reference, across their chat identities. */
  private async latestConversation(request: DeliveryRequest): Promise<Conversation | undefined> {
    const lists = await Promise.all((request.customer.channelUsers ?? []).map((u) => this.options.conversations.findByUser(u.channelId, u.userId)));
    return latestReachable(lists.flat());
  }

  /** The client is in the middle of a flow (other than the idle main menu) and wrote recently. */
  private async inDialog(context: TurnContext, conversation: Conversation): Promise<boolean> {
    const ids = activeDialogIds(await this.dialogState.get(context));
    if (!ids.some((id) => !IDLE_DIALOG_IDS.has(id))) return false;
    return this.now().getTime() - conversation.lastActivityAt.getTime() < this.activeDialogWindowMs;
  }

}

/** 403/404 from the channel mean the client removed the bot or the conversation is gone. */
function channelError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const status = channelStatus(error);
  if (status === 403 || status === 404) {
    return new AppError('unreachable', 'the client can no longer be reached on this channel', 404, { reason: `channel_${status}` });
  }
  // Keep the status visible to the sender (it records channel_429, channel_503...).
  if (status && error && typeof error === 'object' && !('statusCode' in error)) Object.assign(error, { statusCode: status });
  return error;
}
