/**
 * Runs the real bot (`bot/index.ts` under tsx) as a child process, for the tests that need more
 * than one process (campaigns, handoff) and the bench: a crash is a real SIGKILL, two senders
 * are two real processes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../scripts/ferretdbServer';

const root = path.resolve(__dirname, '../..');

export interface BotProcess {
  child: ChildProcess;
  pid: number;
  baseUrl: string;
  /** What the process wrote to stdout and stderr (the last 64 KB). */
  output(): string;
  /** SIGTERM and wait for the exit (a clean shutdown). */
  stop(): Promise<void>;
  /** SIGKILL and wait for the exit: no shutdown code runs. */
  kill(): Promise<void>;
  /** Resident set size now and its peak so far, in KB (from /proc/<pid>/status). */
  memory(): { rssKb: number; peakKb: number } | undefined;
}

/** Starts the bot with the given environment and resolves once /healthz answers. */
export async function startBotProcess(env: Record<string, string>, options: { timeoutMs?: number } = {}): Promise<BotProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(root, 'bot/index.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', HOST: '127.0.0.1', LOG_LEVEL: 'warn', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (chunk: Buffer) => { out = (out + chunk.toString('utf8')).slice(-65536); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`bot exited (${child.exitCode ?? child.signalCode}) before listening:\n${out}`);
    const ok = await fetch(`${baseUrl}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`bot did not listen on ${port} in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return {
    child,
    pid: child.pid!,
    baseUrl,
    output: () => out,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    memory: () => readMemory(child.pid!),
  };
}

/** VmRSS and VmHWM of a process, in KB, or undefined when it is gone. */
export function readMemory(pid: number): { rssKb: number; peakKb: number } | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssKb: field('VmRSS'), peakKb: field('VmHWM') };
  } catch {
    return undefined;
  }
}
