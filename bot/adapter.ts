import {
  CloudAdapter, ConfigurationBotFrameworkAuthentication, type ConfigurationBotFrameworkAuthenticationOptions,
  type TurnContext,
} from 'botbuilder';
import type { AppConfig } from './config';
import type { Logger } from './logger';
import type { Localizer } from '../services/i18n/localizer';
import { turnLanguage } from '../dialogs/turnLanguage';
import { turnLogger } from './middleware/turnLoggingMiddleware';

/**
 * The CloudAdapter with Bot Framework authentication from config: with an app id set, a
 * request without a valid Bot Framework token is rejected (401) before any bot code runs;
 * with none (local use, the Emulator) no authentication is done.
 */
export function createAdapter(config: AppConfig): CloudAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.MicrosoftAppId,
    MicrosoftAppPassword: config.MicrosoftAppPassword,
    MicrosoftAppType: config.MicrosoftAppType,
    MicrosoftAppTenantId: config.MicrosoftAppTenantId,
  } as ConfigurationBotFrameworkAuthenticationOptions);
  return new CloudAdapter(auth);
}

/**
 * The one turn-error handler: logs with the turn's correlation ids, apologises in the
 * client's language (never a stack trace), and resets the dialog so the next message starts clean.
 */
export function installTurnErrorHandler(
  adapter: CloudAdapter,
  deps: { logger: Logger; localizer: Localizer; resetDialogs: (context: TurnContext) => Promise<void> },
): void {
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    const log = turnLogger(context) ?? deps.logger;
    log.error({ err: { message: error?.message, name: error?.name, stack: error?.stack } }, 'turn failed');
    try {
      await context.sendActivity(deps.localizer.t(turnLanguage(context), 'common.fallbackApology'));
    } catch (sendError) {
      log.warn({ err: { message: (sendError as Error)?.message } }, 'could not send the apology');
    }
    try {
      await deps.resetDialogs(context);
    } catch (resetError) {
      log.warn({ err: { message: (resetError as Error)?.message } }, 'could not reset the dialog state');
    }
  };
}
