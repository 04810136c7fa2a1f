import { ActivityTypes, MessageFactory, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import {
  ComponentDialog, WaterfallDialog,
  type Dialog, type DialogContext, type DialogTurnResult, type WaterfallStepContext,
} from 'botbuilder-dialogs';
import type { Localizer } from '../services/i18n/localizer';
import type { InterruptionDetector } from '../services/conversation/interruptionDetector';
import type { HandoffReason, HandoffRequester } from '../services/handoff/handoffRequester';
import { handoffReplyActivity } from './handoffReply';
import { isRerouted } from './interruptibleDialog';
import type { ClarifyChoice, ClarifyIntentOptions, ClarifyIntentResult } from './clarifyIntentDialog';
import { setTurnLanguage, turnLanguage } from './turnLanguage';

export const MAIN_DIALOG = 'mainDialog';
const ROUTE_WATERFALL = 'mainDialog.route';
/** The intents behind `main.menuChoices`, in the same order. */
export const MENU_INTENTS = ['menu_topics', 'complaint_file', 'callback_book', 'complaint_status', 'survey_feedback'] as const;

/** What the recognizer found in this turn's message (the fields routing needs). */
export interface TurnRecognition {
  topIntent: string;
  topScore: number;
  entities: Array<{ type: string; value: unknown; text: string }>;
  /** Probability of each known intent, when the recognizer gives them. */
  intents?: Record<string, { score: number }>;
}

/** Where an intent leads: a dialog id and the options it starts with. */
export interface Route {
  dialogId: string;
  options?: (recognition: TurnRecognition, text: string, memory: MainDialogMemory) => object | undefined;
}

/** A follow-up dialog started when a feature dialog ends with a given result. */
export interface FollowUp {
  when: (result: any) => boolean;
  dialogId: string;
  options?: (result: any) => object | undefined;
}

/** Per-conversation counters that outlive a single dialog. */
export interface MainDialogMemory {
  consecutiveMisses: number;
  /** Answers in a row the client said did not help (carried from one inquiry to the next). */
  unhelpfulInARow?: number;
}

export interface MainDialogDependencies {
  localizer: Localizer;
  interruptions: InterruptionDetector;
  handoff: HandoffRequester;
  timeZone: string;
  /** The recognition of the current turn (the bot recognizes at most once per turn, on the first call). */
  recognitionOf: (context: TurnContext) => TurnRecognition | undefined;
  memory: StatePropertyAccessor<MainDialogMemory>;
  /** Feature dialogs, added as children. */
  dialogs: Dialog[];
  /** Intent name → route. */
  routes: Record<string, Route>;
  /** Dialog that handles a message no intent matched (e.g. knowledge-base suggestions); its result `{ outcome: 'no_match' }` counts as a miss. */
  unmatched?: Route;
  follow?: FollowUp[];
  /** Replies given without a dialog: intent → locale key. */
  smallTalk?: Record<string, string>;
  bankName: (language: ReturnType<typeof turnLanguage>) => string;
  /** Dialog (one of `dialogs`) that handles a campaign opt-out ("stop", "退订"), from any step of any dialog. */
  optOutDialogId?: string;
  /** Dialog (one of `dialogs`) that undoes an opt-out ("subscribe", "订阅"), from the main menu. */
  optInDialogId?: string;
  /**
   * Asking which of two nearly tied intents the client means: `closeIntents` says when (a
   * service rule), `dialogId` (one of `dialogs`) asks and ends with a {@link ClarifyIntentResult}.
   */
  clarification?: { dialogId: string; closeIntents: (recognition: TurnRecognition) => readonly string[] | undefined };
}

/**
 * Routes each new message: global requests (help, a person, a language) first, then the
 * recognized intent to its feature dialog; a message nothing matches is a miss, and after
 * the second miss in a row the client is offered a person. Business rules stay in the
 * services the feature dialogs call.
 */
export class MainDialog extends ComponentDialog {
  constructor(private readonly deps: MainDialogDependencies) {
    super(MAIN_DIALOG);
    if (!deps?.localizer || !deps.recognitionOf || !deps.memory || !deps.routes) throw new Error('MainDialog dependencies missing');
    for (const dialog of deps.dialogs) this.addDialog(dialog);
    this.addDialog(new WaterfallDialog(ROUTE_WATERFALL, [
      this.routeStep.bind(this),
      this.clarifiedStep.bind(this),
      this.followUpStep.bind(this),
      this.finalStep.bind(this),
    ]));
    this.initialDialogId = ROUTE_WATERFALL;
  }

  /** "Stop / 退订" in the middle of any feature dialog ends it and opts the client out of campaigns. */
  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    if (this.isOptOut(innerDc.context)) {
      await innerDc.cancelAllDialogs();
      return innerDc.beginDialog(this.deps.optOutDialogId!);
    }
    return super.onContinueDialog(innerDc);
  }

  private isOptOut(context: TurnContext): boolean {
    const { activity } = context;
    return Boolean(this.deps.optOutDialogId) && activity.type === ActivityTypes.Message && this.deps.interruptions.isOptOut(activity.text);
  }

  private async routeStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const context = step.context;
    const activity = context.activity;
    if (activity.type !== ActivityTypes.Message) return step.endDialog();
    const text = (activity.text ?? '').trim();
    if (this.isOptOut(context)) {
      await this.resetMisses(context);
      return step.beginDialog(this.deps.optOutDialogId!);
    }
    if (this.deps.optInDialogId && this.deps.interruptions.isOptIn(text)) {
      await this.resetMisses(context);
      return step.beginDialog(this.deps.optInDialogId);
    }
    const interruption = this.deps.interruptions.detect(text);
    if (interruption) {
      await this.resetMisses(context);
      switch (interruption.kind) {
        case 'help':
          await this.sendMenu(context, 'main.helpIntro');
          return step.endDialog();
        case 'cancel':
          await context.sendActivity(this.t(context, 'common.nothingToCancel'));
          return step.endDialog();
        case 'switchLanguage':
          setTurnLanguage(context, interruption.language);
          await context.sendActivity(this.t(context, 'common.languageSwitched'));
          return step.endDialog();
        case 'human':
          await this.requestHandoff(context, 'client_request');
          return step.endDialog();
      }
    }
    if (!text) {
      // A card submit or attachment with nothing to route: say so rather than stay silent.
      await this.sendMenu(context, 'main.notUnderstood');
      return step.endDialog();
    }
    const recognition = this.menuIntent(context, text) ?? this.deps.recognitionOf(context) ?? { topIntent: 'None', topScore: 0, entities: [] };
    if (recognition.topIntent === 'menu_topics') {
      await this.resetMisses(context);
      await this.sendMenu(context, 'main.topicsIntro', false, 'main.topicChoices');
      return step.endDialog();
    }
    const smallTalkKey = this.deps.smallTalk?.[recognition.topIntent];
    if (smallTalkKey) {
      await this.resetMisses(context);
      await this.sendMenu(context, smallTalkKey);
      return step.endDialog();
    }
    if (recognition.topIntent === 'human_agent') {
      await this.resetMisses(context);
      await this.requestHandoff(context, 'client_request');
      return step.endDialog();
    }
    const close = this.deps.clarification?.closeIntents(recognition);
    if (close && close.length > 1 && close.every((intent) => this.deps.routes[intent])) {
      const memory = await this.memory(context);
      const choices: ClarifyChoice[] = close.map((intent) => {
        const { dialogId, options } = this.deps.routes[intent];
        return { intent, dialogId, options: options?.({ ...recognition, topIntent: intent }, text, memory) };
      });
      return step.beginDialog(this.deps.clarification!.dialogId, { choices } satisfies ClarifyIntentOptions);
    }
    const route = this.deps.routes[recognition.topIntent];
    if (route) {
      await this.resetMisses(context);
      return step.beginDialog(route.dialogId, route.options?.(recognition, text, await this.memory(context)));
    }
    if (this.deps.unmatched) {
      return step.beginDialog(this.deps.unmatched.dialogId, this.deps.unmatched.options?.(recognition, text, await this.memory(context)));
    }
    return step.next({ outcome: 'no_match' });
  }

  /** After "which did you mean?": the chosen route starts here, so its result reaches the follow-ups like any other. */
  private async clarifiedStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as ClarifyIntentResult | undefined;
    if (result?.outcome !== 'clarified') return step.next(step.result);
    await this.resetMisses(step.context);
    return step.beginDialog(result.dialogId, result.options);
  }

  private async followUpStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const result = step.result as { outcome?: string; unhelpfulInARow?: number } | undefined;
    if (isRerouted(result)) return step.replaceDialog(ROUTE_WATERFALL);
    if (typeof result?.unhelpfulInARow === 'number') (await this.memory(step.context)).unhelpfulInARow = result.unhelpfulInARow;
    if (result?.outcome === 'no_match') {
      await this.countMiss(step.context);
      return step.endDialog();
    }
    if (result?.outcome && result.outcome !== 'no_match') await this.resetMisses(step.context);
    const followUp = this.deps.follow?.find((f) => f.when(result));
    if (followUp) return step.beginDialog(followUp.dialogId, followUp.options?.(result));
    return step.next(result);
  }

  /** A follow-up (the CSAT after a booking) may end with the client's new request: it is routed now, in this turn. */
  private async finalStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    if (isRerouted(step.result)) return step.replaceDialog(ROUTE_WATERFALL);
    return step.endDialog(step.result);
  }

  /** A tap on one of the main choices means its intent, whatever the classifier says. */
  private menuIntent(context: TurnContext, text: string): TurnRecognition | undefined {
    const language = turnLanguage(context);
    const index = this.deps.localizer.list(language, 'main.menuChoices').indexOf(text);
    return index >= 0 ? { topIntent: MENU_INTENTS[index], topScore: 1, entities: [] } : undefined;
  }

  private memory(context: TurnContext): Promise<MainDialogMemory> {
    return this.deps.memory.get(context, { consecutiveMisses: 0 });
  }

  private async countMiss(context: TurnContext): Promise<void> {
    const memory = await this.memory(context);
    memory.consecutiveMisses += 1;
    if (memory.consecutiveMisses >= 2) {
      await this.sendMenu(context, 'main.notUnderstoodOfferPerson', true);
    } else {
      await this.sendMenu(context, 'main.notUnderstood');
    }
  }

  private async resetMisses(context: TurnContext): Promise<void> {
    const memory = await this.memory(context);
    memory.consecutiveMisses = 0;
  }

  private async requestHandoff(context: TurnContext, reason: HandoffReason): Promise<void> {
    const language = turnLanguage(context);
    const { activity } = context;
    const result = await this.deps.handoff.requestHandoff({
      channelId: activity.channelId, conversationId: activity.conversation.id, userId: activity.from.id, language, reason,
    });
    await context.sendActivity(handoffReplyActivity(this.deps.localizer, language, result, this.deps.timeZone));
  }

  /** A message with the main choices as suggested actions (and a person, when offered). */
  private async sendMenu(context: TurnContext, key: string, offerPerson = false, choicesKey = 'main.menuChoices'): Promise<void> {
    const language = turnLanguage(context);
    const choices = this.deps.localizer.list(language, choicesKey);
    if (offerPerson) choices.unshift(this.deps.localizer.t(language, 'main.personChoice'));
    const text = this.deps.localizer.t(language, key, { bankName: this.deps.bankName(language) });
    await context.sendActivity(MessageFactory.suggestedActions(choices, text));
  }

  private t(context: TurnContext, key: string, params?: Record<string, string | number>): string {
    return this.deps.localizer.t(turnLanguage(context), key, params);
  }
}

/** The bilingual welcome card text; kept here so the bot and tests share one builder. */
export function welcomeActivity(localizer: Localizer, language: ReturnType<typeof turnLanguage>, bankName: string) {
  const text = localizer.t(language, 'common.welcome', { bankName });
  const choices = localizer.list(language, 'main.menuChoices');
  const message = MessageFactory.suggestedActions(choices, text);
  return message;
}

