/**
 * Builds what a feature dialog needs in tests: the real localizer, interruption detector and
 * handoff service (on the embedded store), and a DialogTestClient whose turns carry the
 * language the bot would resolve (from the activity's locale, Chinese by default).
 */
import path from 'node:path';
import type { Dialog } from 'botbuilder-dialogs';
import { DialogTestClient } from 'botbuilder-testing';
import { ConversationState, MemoryStorage, type Middleware, type TurnContext } from 'botbuilder';
import { Localizer, languageFromLocale } from '../../services/i18n/localizer';
import { InterruptionDetector } from '../../services/conversation/interruptionDetector';
import { HandoffRequestService } from '../../services/handoff/handoffRequestService';
import { EmbeddedDatabase } from '../../models/embedded/embeddedDatabase';
import { EmbeddedHandoffRequestRepository } from '../../models/handoff/embeddedHandoffRequestRepository';
import type { InterruptionDependencies } from '../../dialogs/interruptibleDialog';
import { setTurnLanguage, turnLanguage } from '../../dialogs/turnLanguage';

export const repoRoot = path.resolve(__dirname, '../..');

export function createLocalizer(): Localizer {
  return new Localizer(path.join(repoRoot, 'locales'));
}

export function createInterruptionDependencies(): InterruptionDependencies & { handoffRepository: EmbeddedHandoffRequestRepository } {
  const vocabulary = require(path.join(repoRoot, 'data/interruptions.json'));
  const handoffRepository = new EmbeddedHandoffRequestRepository(new EmbeddedDatabase(null));
  return {
    localizer: createLocalizer(),
    interruptions: new InterruptionDetector(vocabulary),
    handoff: new HandoffRequestService(handoffRepository),
    timeZone: 'Asia/Shanghai',
    handoffRepository,
  };
}

/** Sets the turn language from the activity's locale, keeping a switch made in an earlier turn. */
export function languageMiddleware(): Middleware {
  let chosen: ReturnType<typeof turnLanguage> | undefined;
  return {
    async onTurn(context: TurnContext, next: () => Promise<void>) {
      setTurnLanguage(context, chosen ?? languageFromLocale(context.activity.locale) ?? 'zh-CN');
      await next();
      chosen = turnLanguage(context);
    },
  };
}

/** A DialogTestClient for `dialog` on the 'test' channel with the language middleware. */
export function dialogClient(dialog: Dialog, options?: unknown, storage = new MemoryStorage()): DialogTestClient {
  return new DialogTestClient('test', dialog, options, [languageMiddleware()], new ConversationState(storage));
}
