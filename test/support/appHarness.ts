/**
 * Starts the whole Rapport app in-process on an ephemeral loopback port, on the real test
 * services (Redis + the Mongo-wire server) or on embedded storage in a temp folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig, type AppConfig } from '../../bot/config';
import { createApp, type RapportApp } from '../../bot/app';
import { mongoUri, redisUrl, uniquePrefix } from './services';

export interface RunningApp {
  app: RapportApp;
  config: AppConfig;
  baseUrl: string;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startApp(options: { storage: 'services' | 'embedded'; env?: Record<string, string>; dataDir?: string }): Promise<RunningApp> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-app-'));
  const env: Record<string, string> = {
    PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', DATA_DIR: dataDir, NODE_ENV: 'test',
    TRANSCRIPT_FLUSH_MS: '20',
    ...(options.storage === 'services' ? { REDIS_URL: redisUrl(), MONGODB_URI: mongoUri(), REDIS_KEY_PREFIX: uniquePrefix('app') } : {}),
    ...options.env,
  };
  const config = loadConfig(env, { cwd: path.resolve(__dirname, '../..') });
  const app = await createApp(config, pino({ level: 'silent' }));
  const port = await app.start();
  return { app, config, dataDir, baseUrl: `http://127.0.0.1:${port}`, stop: () => app.stop() };
}

let counter = 0;
/** A message activity as the Emulator would post it. */
export function messageActivity(conversationId: string, text: string, extra: Record<string, unknown> = {}) {
  counter += 1;
  return {
    type: 'message', id: `act-${Date.now()}-${counter}`, text, locale: 'zh-CN',
    channelId: 'emulator', serviceUrl: 'http://127.0.0.1:1', timestamp: new Date().toISOString(),
    from: { id: `user-${conversationId}`, name: 'Client' }, recipient: { id: 'rapport', name: 'Rapport' },
    conversation: { id: conversationId }, deliveryMode: 'expectReplies',
    ...extra,
  };
}

/** Posts an activity with expectReplies and returns the bot's replies. */
export async function send(baseUrl: string, activity: object): Promise<{ status: number; replies: any[]; body: any }> {
  const res = await fetch(`${baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  const raw = await res.text();
  const body = raw ? JSON.parse(raw) : undefined;
  return { status: res.status, body, replies: body?.activities ?? [] };
}
