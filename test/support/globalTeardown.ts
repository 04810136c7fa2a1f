import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const child = (globalThis as any).__ferretChild as import('node:child_process').ChildProcess | undefined;
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
  }
  const dir = process.env.FERRETDB_TEST_DIR;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
