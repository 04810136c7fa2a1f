/**
 * The bot as a real process and its storage across restarts: graceful shutdown on SIGTERM,
 * readiness when Mongo goes down, and the embedded default keeping state and transcripts.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { startApp, messageActivity, send } from '../support/appHarness';
import { mongoUri, redisUrl, uniquePrefix } from '../support/services';
import { startFerretDb } from '../../scripts/ferretdbServer';

const root = path.resolve(__dirname, '../..');

describe('Bot process lifecycle', () => {
  test('When the bot process gets SIGTERM after a turn, then it exits 0 and every activity of the turn is stored', async () => {
    const uri = mongoUri();
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(root, 'bot/index.ts')], {
      cwd: root,
      env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', REDIS_URL: redisUrl(), MONGODB_URI: uri, REDIS_KEY_PREFIX: uniquePrefix('sigterm'), TRANSCRIPT_FLUSH_MS: '60000', TRANSCRIPT_BATCH_SIZE: '1000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => { out += chunk; });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no port in: ${out}`)), 30000);
      child.stdout.on('data', () => {
        const m = /"port":(\d+)/.exec(out);
        if (m) { clearTimeout(timer); resolve(Number(m[1])); }
      });
    });
    const id = `sigterm-${Date.now()}`;
    const { status, replies } = await send(`http://127.0.0.1:${port}`, messageActivity(id, '你好'));
    expect(status).toBe(200);
    // The flush interval is a minute, so only the graceful shutdown can have written these.
    const exitCode = await new Promise<number | null>((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); });
    expect(exitCode).toBe(0);
    expect(out).not.toContain('你好');
    const conn = await mongoose.createConnection(uri).asPromise();
    try {
      expect(await conn.collection('transcript_activities').countDocuments({ conversationId: id })).toBe(1 + replies.length);
    } finally {
      await conn.close();
    }
  }, 60000);

  test('When Mongo goes down, then /readyz answers 503 naming mongo, and 200 again when it is back', async () => {
    const ferret = await startFerretDb({ bin: process.env.FERRETDB_TEST_BIN });
    const running = await startApp({ storage: 'services', env: { MONGODB_URI: ferret.uri } });
    try {
      expect((await fetch(`${running.baseUrl}/readyz`)).status).toBe(200);
      await ferret.stop();
      const down = await fetch(`${running.baseUrl}/readyz`);
      expect(down.status).toBe(503);
      expect(((await down.json()) as any).down).toEqual(['mongo']);
      const again = await startFerretDb({ bin: process.env.FERRETDB_TEST_BIN, dir: ferret.dir, port: ferret.port });
      try {
        let status = 0;
        for (let i = 0; i < 50 && status !== 200; i += 1) {
          status = (await fetch(`${running.baseUrl}/readyz`)).status;
          if (status !== 200) await new Promise((r) => setTimeout(r, 200));
        }
        expect(status).toBe(200);
      } finally {
        await running.stop();
        await again.stop();
      }
    } finally {
      await ferret.stop();
    }
  }, 60000);

  test('When the bot runs on embedded storage and restarts mid-complaint, then the dialog and the transcript survive', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-embedded-'));
    const id = `embedded-${Date.now()}`;
    let running = await startApp({ storage: 'embedded', dataDir });
    expect(running.config.storage).toEqual({ redis: false, mongo: false });
    const say = async (text: string) => (await send(running.baseUrl, messageActivity(id, text))).replies.map((r) => r.text).join('\n');
    await say('我要投诉');
    expect(await say('网上银行')).toContain('描述');
    await running.stop();
    running = await startApp({ storage: 'embedded', dataDir });
    try {
      expect(await say('网银转账一直提示证书过期，无法付款')).toContain('紧急程度');
      await running.app.parts.transcriptLogger.flush(5000);
      const page = await running.app.parts.transcriptStore.getTranscriptActivities('emulator', id);
      expect(page.items.length).toBeGreaterThanOrEqual(6);
      expect(fs.readdirSync(path.join(dataDir, 'store')).length).toBeGreaterThan(0);
    } finally {
      await running.stop();
    }
  });
});
