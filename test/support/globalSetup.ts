/**
 * Starts the Mongo-wire server the tests talk to, unless MONGODB_URI names one already
 * (a real MongoDB). FerretDB v1 runs on SQLite in a temp folder on a free loopback port.
 * A missing binary fails the run: tests that need a service never skip.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

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

function ferretBinary(): string {
  const candidates = [
    process.env.FERRETDB_BIN,
    path.join(os.homedir(), '.cache/rapport/ferretdb-v1.24.2'),
  ].filter((p): p is string => Boolean(p));
  for (const c of candidates) if (fs.existsSync(c)) return c;
  throw new Error('FerretDB binary not found: run `bash .ci/build-ferretdb` (needs Go), or set MONGODB_URI to a MongoDB server.');
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`FerretDB did not listen on port ${port} within ${timeoutMs} ms`);
}

export default async function globalSetup(): Promise<void> {
  process.env.REDIS_URL_TEST ??= process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (process.env.MONGODB_URI) {
    process.env.MONGODB_URI_TEST = process.env.MONGODB_URI;
    return;
  }
  const bin = ferretBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-ferretdb-'));
  const port = await freePort();
  const child = spawn(bin, [
    '--handler=sqlite', `--sqlite-url=file:${dir}/`, '--telemetry=disable',
    `--listen-addr=127.0.0.1:${port}`, '--log-level=error', '--debug-addr=-',
  ], { stdio: ['ignore', 'ignore', 'inherit'], detached: false });
  await waitForPort(port, 15000);
  process.env.MONGODB_URI_TEST = `mongodb://127.0.0.1:${port}/rapport_test`;
  process.env.FERRETDB_TEST_PID = String(child.pid);
  process.env.FERRETDB_TEST_DIR = dir;
  process.env.FERRETDB_TEST_BIN = bin;
  process.env.FERRETDB_TEST_PORT = String(port);
  (globalThis as any).__ferretChild = child;
}
