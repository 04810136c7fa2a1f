/**
 * Transcripts survive a Mongo outage: activities logged while the Mongo-wire server is down
 * wait in the buffer and are all written, once each, when it is back. This test runs its
 * own FerretDB (same binary as globalSetup) so it can stop and restart it on the same port
 * and data folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Activity } from 'botbuilder';
import type { Connection } from 'mongoose';
import pino from 'pino';
import { openMongoConnection } from '../../models/mongo/mongoConnection';
import { MongoTranscriptStore } from '../../models/transcripts/mongoTranscriptStore';
import { BufferedTranscriptLogger } from '../../services/transcripts/bufferedTranscriptLogger';

jest.setTimeout(90_000);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`FerretDB did not listen on ${port} within ${timeoutMs} ms`);
}

class FerretDbProcess {
  private child: ChildProcess | undefined;
  constructor(private readonly bin: string, private readonly dir: string, readonly port: number) {}

  async start(): Promise<void> {
    this.child = spawn(this.bin, [
      '--handler=sqlite', `--sqlite-url=file:${this.dir}/`, '--telemetry=disable', `--state-dir=${this.dir}`,
      `--listen-addr=127.0.0.1:${this.port}`, '--debug-addr=-', '--log-level=error',
    ], { stdio: ['ignore', 'ignore', 'ignore'] });
    await waitForPort(this.port, 15_000);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }
}

const activity = (i: number): Activity => ({
  type: 'message', id: `outage-${i}`, channelId: 'msteams',
  conversation: { id: 'outage-conv' }, from: { id: 'user-1', role: 'user' }, recipient: { id: 'bot' },
  text: i === 15 ? '卡号 6222021234567890' : `message ${i}`, timestamp: new Date(Date.UTC(2026, 10, 29, 2, 0, i)),
} as Activity);

describe('Transcript logging through a Mongo outage', () => {
  let ferret: FerretDbProcess;
  let dir: string;
  let connection: Connection | undefined;

  beforeAll(async () => {
    const bin = process.env.FERRETDB_TEST_BIN;
    if (!bin) throw new Error('FERRETDB_TEST_BIN is not set: globalSetup did not start FerretDB (the test needs its binary)');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-outage-'));
    ferret = new FerretDbProcess(bin, dir, await freePort());
    await ferret.start();
  });

  afterAll(async () => {
    await connection?.close(true);
    await ferret?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('When the server goes down and comes back, then every activity is stored exactly once and in order', async () => {
    connection = await openMongoConnection(`mongodb://127.0.0.1:${ferret.port}/rapport_outage`, { serverSelectionTimeoutMS: 1000 });
    const store = new MongoTranscriptStore({ connection });
    await store.init();
    const transcripts = new BufferedTranscriptLogger({
      sink: store, logger: pino({ level: 'silent' }), batchSize: 4, flushIntervalMs: 20, retryBaseMs: 100, retryMaxMs: 1000,
    });

    for (let i = 0; i < 10; i++) transcripts.logActivity(activity(i));
    await transcripts.flush(10_000);
    expect(transcripts.stats()).toMatchObject({ written: 10, buffered: 0, failedAttempts: 0 });

    await ferret.stop();
    for (let i = 10; i < 20; i++) transcripts.logActivity(activity(i));
    await new Promise((r) => setTimeout(r, 2500));
    expect(transcripts.stats().failedAttempts).toBeGreaterThan(0);
    expect(transcripts.stats().buffered).toBe(10);

    await ferret.start();
    await transcripts.flush(30_000);
    expect(transcripts.stats()).toMatchObject({ written: 20, buffered: 0 });

    const stored: Activity[] = [];
    let token: string | undefined;
    do {
      const page = await store.getTranscriptActivities('msteams', 'outage-conv', token);
      stored.push(...page.items);
      token = page.continuationToken;
    } while (token);
    expect(stored.map((a) => a.id)).toEqual(Array.from({ length: 20 }, (_, i) => `outage-${i}`));
    expect(stored[15].text).toBe('卡号 ************7890');
    expect(await connection.collection('transcript_activities').countDocuments({ conversationId: 'outage-conv' })).toBe(20);
  });
});
