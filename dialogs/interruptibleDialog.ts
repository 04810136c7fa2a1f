import { ComponentDialog, DialogTurnStatus, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import { ActivityTypes, type TurnContext } from 'botbuilder';
import type { Localizer } from '../services/i18n/localizer';
import type { InterruptionDetector } from '../services/conversation/interruptionDetector';
import type { HandoffRequester } from '../services/handoff/handoffRequester';
import { handoffReplyActivity } from './handoffReply';
import { setTurnLanguage, turnLanguage } from './turnLanguage';

/** What every feature dialog needs to honour the global interruptions. */
export interface InterruptionDependencies {
  localizer: Localizer;
  interruptions: InterruptionDetector;
  handoff: HandoffRequester;
  timeZone: string;
  /**
   * Whether this turn's message is a new request the main dialog can route (the recognition says
   * so). A dialog waiting for a closed answer (yes/no, a choice, a score) that gets one instead
   * ends as `rerouted`, and the message is routed in the same turn. Absent: never.
   */
  isNewRequest?: (context: TurnContext, except?: readonly string[]) => boolean;
}

/** A dialog ended because the client's message was a new request, to be routed in the same turn. */
export function isRerouted(result: unknown): boolean {
  return (result as { outcome?: unknown } | undefined)?.outcome === 'rerouted';
}

/**
 * How a feature dialog ended when an interruption ended it. `rerouted`: the client's message was
 * not an answer but a new request, which the main dialog routes in the same turn.
 */
export type InterruptedOutcome = { outcome: 'cancelled' } | { outcome: 'handoff' } | { outcome: 'rerouted' };

/**
 * Base of every feature dialog: before any step runs, the global interruptions are caught
 * here once — help (re-prompts), cancel (ends the dialog and confirms), talk to a person
 * (records the handoff request, ends the dialog), language switch (re-prompts).
 */
export abstract class InterruptibleDialog extends ComponentDialog {
  protected constructor(id: string, protected readonly deps: InterruptionDependencies, private readonly helpKey: string) {
    super(id);
    if (!deps?.localizer || !deps.interruptions || !deps.handoff) throw new Error(`${id} needs localizer, interruptions and handoff`);
  }

  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    const interrupted = await this.interrupt(innerDc);
    if (interrupted) return interrupted;
    if (this.deps.isNewRequest && this.awaitsClosedAnswerNotGiven(innerDc) && this.deps.isNewRequest(innerDc.context, this.ownIntents)) {
      await innerDc.cancelAllDialogs();
      return { status: DialogTurnStatus.complete, result: { outcome: 'rerouted' } satisfies InterruptedOutcome };
    }
    return super.onContinueDialog(innerDc);
  }

  /**
   * Intents that are this dialog's own task: a message recognised as one of them is no new request
   * here (a client booking a callback who writes "call me asap" is still booking it).
   */
  protected readonly ownIntents: readonly string[] = [];

  /**
   * True when the active step waits for a closed answer (yes/no, a choice) and this message is
   * not one; a dialog with such steps overrides it. Free-text steps never count (any text is an answer).
   */
  protected awaitsClosedAnswerNotGiven(_innerDc: DialogContext): boolean {
    return false;
  }

  /** Shorthand for a localized string in the turn's language. */
  protected t(dc: DialogContext, key: string, params?: Record<string, string | number>): string {
    return this.deps.localizer.t(turnLanguage(dc.context), key, params);
  }

  private async interrupt(innerDc: DialogContext): Promise<DialogTurnResult | undefined> {
    const activity = innerDc.context.activity;
    if (activity.type !== ActivityTypes.Message || typeof activity.text !== 'string') return undefined;
    const interruption = this.deps.interruptions.detect(activity.text);
    if (!interruption) return undefined;
    switch (interruption.kind) {
      case 'help':
        await innerDc.context.sendActivity(this.t(innerDc, this.helpKey));
        await innerDc.repromptDialog();
        return { status: DialogTurnStatus.waiting };
      case 'switchLanguage':
        setTurnLanguage(innerDc.context, interruption.language);
        await innerDc.context.sendActivity(this.t(innerDc, 'common.languageSwitched'));
        await innerDc.repromptDialog();
        return { status: DialogTurnStatus.waiting };
      case 'cancel':
        await innerDc.cancelAllDialogs();
        await innerDc.context.sendActivity(this.t(innerDc, 'common.cancelled'));
        return { status: DialogTurnStatus.complete, result: { outcome: 'cancelled' } satisfies InterruptedOutcome };
      case 'human': {
        const language = turnLanguage(innerDc.context);
        const result = await this.deps.handoff.requestHandoff({
          channelId: activity.channelId,
          conversationId: activity.conversation.id,
          userId: activity.from.id,
          language,
          reason: 'client_request',
        });
        await innerDc.cancelAllDialogs();
        await innerDc.context.sendActivity(handoffReplyActivity(this.deps.localizer, language, result, this.deps.timeZone));
        return { status: DialogTurnStatus.complete, result: { outcome: 'handoff' } satisfies InterruptedOutcome };
      }
    }
  }
}
