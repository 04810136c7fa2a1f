import { ActivityTypes, type ConversationState, type Middleware, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import type { Logger } from '../logger';
import type { Localizer } from '../../services/i18n/localizer';
import type { InterruptionDetector } from '../../services/conversation/interruptionDetector';
import type { HandoffService } from '../../services/handoff/handoffService';
import type { HandoffCase } from '../../services/handoff/handoffDesk';
import type { SentimentMonitor } from '../../services/handoff/sentimentMonitor';
import type { OptOutService } from '../../services/campaigns/optOutService';
import { resolveLanguage } from '../../services/conversation/languageResolver';
import { handoffReplyActivity } from '../../dialogs/handoffReply';
import { activeDialogIds } from '../../dialogs/activeDialogs';
import type { DialogState } from 'botbuilder-dialogs';

/** Options for {@link HandoffRelayMiddleware}. */
export interface HandoffRelayMiddlewareOptions {
  handoff: HandoffService;
  conversationState: ConversationState;
  localizer: Localizer;
  interruptions: InterruptionDetector;
  sentiment: SentimentMonitor;
  timeZone: string;
  logger: Logger;
  /**
   * Dialogs in which negative words are expected and never bring in a person by themselves
   * (the client filing a complaint is describing what went wrong; a critical complaint is
   * escalated by the complaint flow itself). The run restarts when they leave the dialog.
   */
  calmDialogIds?: string[];
  /**
   * Told of every message whose tone was scored (with the bot, outside calm dialogs), e.g. for
   * the churn-risk signals. Called without waiting; it must not throw and must stay cheap.
   */
  onToneObserved?: (observed: ToneObservation) => void;
  /**
   * Records "stop / 退订" typed while the client waits for or talks with a person: the dialogs
   * never see those turns, and an opt-out must not depend on who is on the other side.
   */
  optOut?: Pick<OptOutService, 'optOut'>;
}

/** One scored client message, as {@link HandoffRelayMiddlewareOptions.onToneObserved} gets it. */
export interface ToneObservation {
  channelId: string;
  userId: string;
  conversationId: string;
  score: number;
  negative: boolean;
  at: Date;
}

interface SentimentMemory { negativeInARow: number }

/**
 * The handoff side of a turn, before the dialogs:
 * - with staff: the client's message goes to the agent (stored and published as a `message`
 *   event for the console) and the dialogs never see it;
 * - queued: "cancel" leaves the queue, anything else gets the position and estimated wait;
 * - with the bot: a run of negative messages brings in a person (reason `negative_sentiment`),
 *   and a turn that put the client in the queue tells the channel with `handoff.initiate`.
 */
export class HandoffRelayMiddleware implements Middleware {
  private readonly memory: StatePropertyAccessor<SentimentMemory>;
  private readonly dialogState: StatePropertyAccessor<DialogState>;

  constructor(private readonly options: HandoffRelayMiddlewareOptions) {
    for (const key of ['handoff', 'conversationState', 'localizer', 'interruptions', 'sentiment', 'logger'] as const) {
      if (!options?.[key]) throw new Error(`HandoffRelayMiddleware needs ${key}`);
    }
    this.memory = options.conversationState.createProperty<SentimentMemory>('handoffSentiment');
    this.dialogState = options.conversationState.createProperty<DialogState>('dialogState');
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const { activity } = context;
    if (activity.type !== ActivityTypes.Message || !activity.conversation?.id) return next();
    const text = typeof activity.text === 'string' ? activity.text.trim() : '';
    const open = await this.options.handoff.openCaseFor(activity.channelId, activity.conversation.id);
    if (open?.status === 'with_staff') {
      if (text) await this.options.handoff.recordClientMessage(open.caseId, text);
      await this.optOutIfAsked(context, open, text);
      return;
    }
    if (open?.status === 'queued') {
      if (await this.optOutIfAsked(context, open, text)) return;
      return this.whileQueued(context, open, text);
    }

    if (text && await this.negativeRunEnds(context, text)) return;
    await next();
    const opened = await this.options.handoff.openCaseFor(activity.channelId, activity.conversation.id);
    if (opened) await this.initiate(context, opened);
  }

  private async whileQueued(context: TurnContext, open: HandoffCase, text: string): Promise<void> {
    if (this.options.interruptions.detect(text)?.kind === 'cancel') {
      await this.options.handoff.leaveQueue(open.caseId);
      await context.sendActivity({ type: 'event', name: 'handoff.status', value: { state: 'completed', caseId: open.caseId, status: 'bot' } });
      await context.sendActivity(this.options.localizer.t(open.language, 'handoff.leftQueue'));
      return;
    }
    const { position, estimatedWaitMinutes } = await this.options.handoff.positionOf(open.caseId);
    await context.sendActivity(this.options.localizer.t(open.language, 'handoff.queuedReminder', { position, minutes: estimatedWaitMinutes }));
  }

  /**
   * Opts the client out of campaigns when the whole message is an opt-out phrase, and confirms it
   * in the case's language; the handoff goes on (the agent still sees the message).
   */
  private async optOutIfAsked(context: TurnContext, open: HandoffCase, text: string): Promise<boolean> {
    if (!this.options.optOut || !this.options.interruptions.isOptOut(text)) return false;
    const { activity } = context;
    await this.options.optOut.optOut({ channelId: activity.channelId, userId: activity.from.id });
    await context.sendActivity(this.options.localizer.t(open.language, 'campaign.optOutConfirmed'));
    return true;
  }

  private tellTone(channelId: string, userId: string, conversationId: string, score: number, negative: boolean): void {
    if (!this.options.onToneObserved) return;
    try {
      this.options.onToneObserved({ channelId, userId, conversationId, score, negative, at: new Date() });
    } catch (error) {
      this.options.logger.warn({ err: { message: (error as Error)?.message } }, 'tone observer failed');
    }
  }

  /** Counts negative messages; on the run's last one, asks for a person instead of running the dialogs. */
  private async negativeRunEnds(context: TurnContext, text: string): Promise<boolean> {
    const { activity } = context;
    const language = resolveLanguage({ locale: activity.locale, text });
    // A command ("stop", "cancel", "转人工", "订阅") is no mood: it is left to the dialogs and does not move the count.
    const { interruptions } = this.options;
    if (interruptions.detect(text) || interruptions.isOptOut(text) || interruptions.isOptIn(text)) return false;
    const memory = await this.memory.get(context, { negativeInARow: 0 });
    if (await this.inCalmDialog(context)) {
      memory.negativeInARow = 0;
      return false;
    }
    const observed = this.options.sentiment.observe(memory.negativeInARow, text, language);
    memory.negativeInARow = observed.escalate ? 0 : observed.streak;
    this.tellTone(activity.channelId, activity.from.id, activity.conversation.id, observed.score, observed.negative);
    if (!observed.escalate) return false;
    const result = await this.options.handoff.requestHandoff({
      channelId: activity.channelId, conversationId: activity.conversation.id, userId: activity.from.id, language, reason: 'negative_sentiment',
    });
    await context.sendActivity(this.options.localizer.t(language, 'handoff.negativeSentiment'));
    await context.sendActivity(handoffReplyActivity(this.options.localizer, language, result, this.options.timeZone));
    const opened = await this.options.handoff.openCaseFor(activity.channelId, activity.conversation.id);
    if (opened) await this.initiate(context, opened);
    await this.options.conversationState.saveChanges(context, false);
    return true;
  }

  private async inCalmDialog(context: TurnContext): Promise<boolean> {
    const calm = this.options.calmDialogIds;
    if (!calm?.length) return false;
    const active = activeDialogIds(await this.dialogState.get(context));
    return active.some((id) => calm.includes(id));
  }

  /** Bot Framework's handoff name, so a channel that supports handoff knows the client now waits for a person. */
  private async initiate(context: TurnContext, opened: HandoffCase): Promise<void> {
    await context.sendActivity({
      type: 'event', name: 'handoff.initiate',
      value: { caseId: opened.caseId, reason: opened.reason, language: opened.language, priority: opened.priority },
    });
  }
}
