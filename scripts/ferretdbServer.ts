/**
 * Runs a FerretDB (MongoDB wire protocol over SQLite, or over PostgreSQL with `handler:
 * 'postgresql'`) child process on loopback, for tests and benchmarks on machines where no
 * MongoDB server can be installed. Build the binary with `bash .ci/build-ferretdb`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const FERRETDB_DEFAULT_BIN = path.join(os.homedir(), '.cache/rapport/ferretdb-v1.24.2');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
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

export interface FerretDbServer {
  uri: string;
  port: number;
  dir: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export interface FerretDbOptions {
  bin?: string;
  /** SQLite files go here (handler 'sqlite'; default a fresh temporary directory). */
  dir?: string;
  port?: number;
  database?: string;
  /** Storage backend (default 'sqlite'). */
  handler?: 'sqlite' | 'postgresql';
  /** With handler 'postgresql': the PostgreSQL database to use, which must exist (e.g. postgres://postgres@127.0.0.1:5432/rapport). */
  postgresqlUrl?: string;
}

/** Starts FerretDB; the binary path defaults to where .ci/build-ferretdb puts it. */
export async function startFerretDb(options: FerretDbOptions = {}): Promise<FerretDbServer> {
  const bin = options.bin ?? FERRETDB_DEFAULT_BIN;
  if (!fs.existsSync(bin)) throw new Error(`FerretDB binary not found at ${bin}: run \`bash .ci/build-ferretdb\` (needs Go), or set MONGODB_URI to a MongoDB server.`);
  const handler = options.handler ?? 'sqlite';
  if (handler === 'postgresql' && !options.postgresqlUrl) throw new Error('startFerretDb: handler postgresql needs postgresqlUrl');
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-ferretdb-'));
  const port = options.port ?? await freePort();
  const backend = handler === 'postgresql' ? ['--handler=postgresql', `--postgresql-url=${options.postgresqlUrl}`] : ['--handler=sqlite', `--sqlite-url=file:${dir}/`];
  const child = spawn(bin, [
    // --state-dir: FerretDB otherwise writes its state.json into the working directory (the repo root).
    ...backend, '--telemetry=disable', `--state-dir=${dir}`,
    `--listen-addr=127.0.0.1:${port}`, '--log-level=error', '--debug-addr=-',
  ], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPort(port, 15000);
  return {
    uri: `mongodb://127.0.0.1:${port}/${options.database ?? 'rapport'}`,
    port, dir, child,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
