import fs from 'node:fs';
import type { FerretDbServer } from '../../scripts/ferretdbServer';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as any).__ferretServer as FerretDbServer | undefined;
  if (server) {
    await server.stop();
    fs.rmSync(server.dir, { recursive: true, force: true });
  }
}
