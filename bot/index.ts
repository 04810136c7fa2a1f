/**
 * Entry point: load and validate config, build the app, listen, and shut down cleanly on
 * SIGTERM/SIGINT (stop accepting, finish turns, flush transcripts, close Redis and Mongo).
 */
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { createApp } from './app';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const app = await createApp(config, logger);
  const port = await app.start();
  logger.info({ port, storage: config.storage }, `Rapport listening on http://localhost:${port}/api/messages`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Whatever hangs, the process ends: an orchestrator would kill it anyway.
    setTimeout(() => {
      logger.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS + config.SHUTDOWN_FLUSH_TIMEOUT_MS + 5000).unref();
    try {
      await app.stop();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: { message: (error as Error).message } }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  process.stderr.write(`Rapport failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
