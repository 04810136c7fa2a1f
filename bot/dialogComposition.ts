/**
 * Builds the services, repositories and dialogs of the conversation layer. Part of the
 * composition root: every repository is the Mongo one when Mongo is configured, else embedded.
 */
import path from 'node:path';
import type { CloudAdapter, ConversationState, UserState } from 'botbuilder';
import type { Connection } from 'mongoose';
import type { AppConfig } from './config';
import type { Logger } from './logger';
import type { Language, Localizer } from '../services/i18n/localizer';
import type { EmbeddedDatabase } from '../models/embedded/embeddedDatabase';
import type { ConversationRepository } from '../models/conversations/conversationRepository';
import { InterruptionDetector } from '../services/conversation/interruptionDetector';
import { HandoffRequestService } from '../services/handoff/handoffRequestService';
import { MongoHandoffRequestRepository } from '../models/handoff/mongoHandoffRequestRepository';
import { EmbeddedHandoffRequestRepository } from '../models/handoff/embeddedHandoffRequestRepository';
import { MainDialog, type MainDialogMemory, type Route } from '../dialogs/mainDialog';
import type { Dialog } from 'botbuilder-dialogs';
import { turnRecognition } from './rapportBot';

export interface DialogCompositionInput {
  config: AppConfig;
  logger: Logger;
  localizer: Localizer;
  conversationState: ConversationState;
  userState: UserState;
  mongo?: Connection;
  embedded: EmbeddedDatabase;
  adapter: CloudAdapter;
  conversations: ConversationRepository;
  bankName: (language: Language) => string;
}

export interface DialogComposition {
  mainDialog: MainDialog;
  parts: Record<string, unknown>;
  /** Starts background work (reminders). */
  start(): void;
  stop(): Promise<void>;
}

export async function buildDialogs(input: DialogCompositionInput): Promise<DialogComposition> {
  const { config, localizer, mongo, embedded } = input;
  const projectRoot = path.resolve(__dirname, '..');
  const interruptions = new InterruptionDetector(require(path.join(projectRoot, 'data/interruptions.json')));
  const handoffRequests = mongo ? new MongoHandoffRequestRepository(mongo) : new EmbeddedHandoffRequestRepository(embedded);
  const handoff = new HandoffRequestService(handoffRequests);
  const base = { localizer, interruptions, handoff, timeZone: config.BUSINESS_TIMEZONE };

  const dialogs: Dialog[] = [];
  const routes: Record<string, Route> = {};

  const mainDialog = new MainDialog({
    ...base,
    recognitionOf: turnRecognition,
    memory: input.conversationState.createProperty<MainDialogMemory>('mainDialogMemory'),
    dialogs,
    routes,
    smallTalk: { greeting: 'main.greeting', goodbye: 'main.goodbye', thanks: 'main.thanks', help: 'main.helpIntro' },
    bankName: input.bankName,
  });
  return {
    mainDialog,
    parts: { handoffRequests },
    start() { /* background schedulers are added with their features */ },
    async stop() { /* nothing yet */ },
  };
}
