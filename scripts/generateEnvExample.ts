/** Rewrites .env.example from the configuration schema: `npx tsx scripts/generateEnvExample.ts`. */
import fs from 'node:fs';
import path from 'node:path';
import { envExample } from '../bot/config';

fs.writeFileSync(path.join(__dirname, '..', '.env.example'), envExample());
