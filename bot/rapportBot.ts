import {
  ActivityTypes, TeamsActivityHandler, TurnContext,
  type AdaptiveCardInvokeResponse, type AdaptiveCardInvokeValue, type ConversationState, type StatePropertyAccessor, type UserState,
} from 'botbuilder';
import { DialogSet, DialogTurnStatus, type Dialog, type DialogState } from 'botbuilder-dialogs';
import type { Logger } from './logger';
import type { Localizer, Language } from '../services/i18n/localizer';
import { resolveLanguage } from '../services/conversation/languageResolver';
import { MAIN_DIALOG, welcomeActivity, type MainDialog, type TurnRecognition } from '../dialogs/mainDialog';
import { isRerouted } from '../dialogs/interruptibleDialog';
import { setTurnLanguage, turnLanguage } from '../dialogs/turnLanguage';
import { TeamsCardActions } from './teamsCardActions';
import { StaffTeamsDesk } from './staffTeams/staffTeamsDesk';

/** What the bot keeps per conversation besides the dialog stack. */
export interface ConversationProfile {
  language?: Language;
  /** Set when the client explicitly asked for a language; it then wins over the locale. */
  languageChosen?: boolean;
  turns: number;
}

/** Recognizes a message once per turn; the result is shared by routing and dialogs. */
export interface TurnRecognizer {
  recognize(text: string, locale?: string): TurnRecognition;
}

const RECOGNITION_KEY = Symbol('rapport.recognition');

/**
 * The recognition of this turn's message (undefined for activities without text), made on first
 * call and kept: a message answering a dialog's prompt is never routed, so it is not recognised.
 */
export function turnRecognition(context: TurnContext): TurnRecognition | undefined {
  const recognize = context.turnState.get(RECOGNITION_KEY) as (() => TurnRecognition) | undefined;
  return recognize?.();
}

export interface RapportBotDependencies {
  conversationState: ConversationState;
  userState: UserState;
  mainDialog: MainDialog;
  recognizer: TurnRecognizer;
  localizer: Localizer;
  logger: Logger;
  bankName: (language: Language) => string;
  /** Dialogs that may also be started outside a client's turn (see {@link RapportBot.beginDialogOutsideTurn}). */
  outsideTurnDialogs?: Dialog[];
  /** Staff taking handoffs from their Teams channel (when STAFF_TEAMS_CONVERSATION is set). */
  staffTeams?: Pick<StaffTeamsDesk, 'handleTake'>;
}

/**
 * The one bot for Web Chat, Teams and the Emulator. Each message: resolve the language,
 * recognize at most once (when the main dialog routes), continue the active dialog or start the main dialog, save state.
 */
export class RapportBot extends TeamsActivityHandler {
  private readonly dialogState: StatePropertyAccessor<DialogState>;
  private readonly profile: StatePropertyAccessor<ConversationProfile>;
  private readonly dialogs: DialogSet;
  private readonly cardActions: TeamsCardActions;

  constructor(private readonly deps: RapportBotDependencies) {
    super();
    for (const key of ['conversationState', 'userState', 'mainDialog', 'recognizer', 'localizer', 'logger'] as const) {
      if (!deps?.[key]) throw new Error(`RapportBot needs ${key}`);
    }
    this.dialogState = deps.conversationState.createProperty<DialogState>('dialogState');
    this.profile = deps.conversationState.createProperty<ConversationProfile>('profile');
    this.dialogs = new DialogSet(this.dialogState);
    this.dialogs.add(deps.mainDialog);
    for (const dialog of deps.outsideTurnDialogs ?? []) this.dialogs.add(dialog);
    this.cardActions = new TeamsCardActions(deps.localizer);

    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient?.id;
      const added = context.activity.membersAdded ?? [];
      // Teams can announce a personal install with only the bot in membersAdded: the client added it, so greet them too.
      const personalInstall = context.activity.conversation?.conversationType === 'personal' && added.some((m) => m.id === botId);
      if (personalInstall || added.some((m) => m.id !== botId)) await this.welcome(context);
      await next();
    });
  }

  /** Welcome in personal scope (Teams) and Web Chat; never in a team channel, where it would be noise. */
  private async welcome(context: TurnContext): Promise<void> {
    const conversationType = context.activity.conversation?.conversationType;
    if (conversationType === 'channel' || conversationType === 'groupChat') return;
    const language = resolveLanguage({ locale: context.activity.locale });
    await context.sendActivity(welcomeActivity(this.deps.localizer, language, this.deps.bankName(language)));
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    if (context.activity.channelId === 'msteams' && context.activity.conversation?.conversationType === 'channel') {
      TurnContext.removeRecipientMention(context.activity);
    }
    const profile = await this.profile.get(context, { turns: 0 });
    const text = typeof context.activity.text === 'string' ? context.activity.text.trim() : '';
    const language = resolveLanguage({
      chosen: profile.languageChosen ? profile.language : undefined,
      locale: context.activity.locale,
      text,
      previous: profile.language,
    });
    setTurnLanguage(context, language);
    if (text) {
      let recognition: TurnRecognition | undefined;
      context.turnState.set(RECOGNITION_KEY, () => (recognition ??= this.deps.recognizer.recognize(text, language)));
    }

    const dc = await this.dialogs.createContext(context);
    const result = await dc.continueDialog();
    // Nothing running, or a dialog started outside the main one (the CSAT after a handoff, a campaign)
    // ended because the message was a new request: the main dialog routes it now.
    if (result.status === DialogTurnStatus.empty || (result.status === DialogTurnStatus.complete && isRerouted(result.result))) {
      await dc.beginDialog(MAIN_DIALOG);
    }

    const finalLanguage = turnLanguage(context);
    if (finalLanguage !== language) profile.languageChosen = true;
    profile.language = finalLanguage;
    profile.turns += 1;
  }

  /** Teams' Action.Execute on a survey card (or a staff handoff card, see StaffTeamsDesk): handled like the card submit Web Chat sends, answered with the updated card. */
  protected override async onAdaptiveCardInvoke(context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    // A staff member's Take on a handoff card: no dialog of the staff channel is involved.
    if (this.deps.staffTeams && StaffTeamsDesk.handles(invokeValue)) return this.deps.staffTeams.handleTake(context, invokeValue);
    return this.cardActions.handle(context, invokeValue, () => this.handleMessage(context));
  }

  /** Saves state after every turn, whatever the handlers did. */
  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    if (context.activity.type === ActivityTypes.Message || context.activity.type === ActivityTypes.Invoke) {
      await this.deps.conversationState.saveChanges(context, false);
      await this.deps.userState.saveChanges(context, false);
    }
  }

  /**
   * Starts a dialog on a proactive turn (e.g. the CSAT question after an agent hands the client
   * back), so the client's next message answers it; replaces whatever dialog was on the stack.
   */
  async beginDialogOutsideTurn(context: TurnContext, dialogId: string, options: object, language: Language): Promise<void> {
    setTurnLanguage(context, language);
    const dc = await this.dialogs.createContext(context);
    await dc.cancelAllDialogs();
    await dc.beginDialog(dialogId, options);
    await this.deps.conversationState.saveChanges(context, false);
  }

  /** For onTurnError: forget the dialog stack so the next message starts clean. */
  async resetDialogs(context: TurnContext): Promise<void> {
    await this.deps.conversationState.delete(context);
  }
}
