/**
 * Campaign sending throughput and memory (not a test): `npm run bench:campaign`.
 *
 * Starts FerretDB (unless --mongo=URI) on SQLite, or with --backend=postgresql on a fresh PostgreSQL
 * database it creates with psql (--pg=postgres://postgres@127.0.0.1:5432, dropped afterwards),
 * and uses Redis (--redis=URL, default 127.0.0.1:6379);
 * seeds --customers (default 10,000) customers with consent and a conversation whose
 * reference points at a stub Bot Framework channel on loopback, straight into the stores
 * (bulk inserts); starts the bot as a child process and samples its RSS while idle; then
 * puts a running message campaign with no rate limit and its recipients in the store and
 * measures how fast the bot's sender delivers them all, and the bot's RSS while it does.
 *
 * Baseline, measured in the same run: the bench process itself posting the same number of
 * activities to the stub channel with plain fetch at the sender's concurrency — what the
 * loopback channel allows with no bot work, no database and no claims at all.
 *
 * --write-docs replaces this backend's subsection of the "Campaign sending" section of
 * docs/PERFORMANCE.md (the rest of the section is left as written).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from 'mongoose';
import { openMongoConnection } from '../models/mongo/mongoConnection';
import { MongoCampaignRepository } from '../models/campaigns/mongoCampaignRepository';
import { MongoCampaignRecipientRepository } from '../models/campaigns/mongoCampaignRecipientRepository';
import { startFerretDb } from '../scripts/ferretdbServer';
import { startStubChannel } from '../test/support/stubChannel';
import { startBotProcess, readMemory } from '../test/support/campaignProcess';
import { putRunningCampaign, seedCustomersWithConversations } from '../test/support/campaignSeed';

// Split at the first '=' only: values such as --bot-node-options=--max-old-space-size=1024 hold one.
const args = new Map(process.argv.slice(2).map((a) => { const [key, ...value] = a.replace(/^--/, '').split('='); return [key, value.length ? value.join('=') : undefined] as [string, string | undefined]; }));
const customerCount = Number(args.get('customers') ?? 10_000);
const concurrency = Number(args.get('concurrency') ?? 8);
const batchSize = Number(args.get('batch') ?? 1000);
const writeDocs = args.has('write-docs');
/** Longest wait for the campaign; past it the figures cover what was delivered so far. */
const maxMinutes = Number(args.get('max-minutes') ?? 30);
const backend = args.get('backend') ?? 'sqlite';
if (backend !== 'sqlite' && backend !== 'postgresql') throw new Error(`--backend must be sqlite or postgresql, not ${backend}`);
/** PostgreSQL server for --backend=postgresql (a database is created on it per run). */
const pgServer = (args.get('pg') ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');
const backendLabel = args.get('mongo') ? 'the MongoDB server given with --mongo' : backend === 'postgresql' ? 'FerretDB 1.24 on PostgreSQL' : 'FerretDB 1.24 on SQLite';
/**
 * Node flags of the bot child: by default the heap limit `npm start` gives the bot (package.json),
 * so the bench measures the process as deployed; `--bot-node-options=` (empty) runs V8's defaults.
 */
const botNodeOptions = args.get('bot-node-options') ?? '--max-old-space-size=1024';
const command = `npm run bench:campaign${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;

const mb = (kb: number) => kb / 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The bench process posts `count` activities to the stub with plain fetch, `parallel` at a time. */
async function rawChannelRate(url: string, count: number, parallel: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await fetch(`${url}/v3/conversations/baseline-${i % 100}/activities`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', text: `baseline ${i}`, locale: 'zh-CN', conversation: { id: `baseline-${i % 100}` } }),
      });
      await res.text();
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return count / ((performance.now() - started) / 1000);
}

async function campaignStatus(connection: Connection, id: string): Promise<{ status?: string; counts: Record<string, number> }> {
  const campaign = await new MongoCampaignRepository(connection).get(id);
  return { status: campaign?.status, counts: await new MongoCampaignRecipientRepository(connection).counts(id) };
}

/** Runs psql against the PostgreSQL server (the bench has no pg client library). */
function psql(sql: string): void {
  execFileSync('psql', [`${pgServer}/postgres`, '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * Replaces (or adds) the `### heading` subsection of "## Campaign sending" in docs/PERFORMANCE.md,
 * so each backend's figures are rewritten by its own run and hand-written text around them stays.
 */
function writePerformanceSubsection(heading: string, markdown: string): void {
  const file = path.resolve(__dirname, '../docs/PERFORMANCE.md');
  let text = fs.readFileSync(file, 'utf8');
  if (!text.includes('## Campaign sending')) text = `${text.trimEnd()}\n\n## Campaign sending\n`;
  const sectionStart = text.indexOf('## Campaign sending');
  const nextSection = text.indexOf('\n## ', sectionStart + 3);
  const sectionEnd = nextSection < 0 ? text.length : nextSection + 1;
  const section = text.slice(sectionStart, sectionEnd);
  const block = `### ${heading}\n\n${markdown.trimEnd()}\n`;
  const at = section.indexOf(`\n### ${heading}\n`);
  let updated: string;
  if (at < 0) {
    updated = `${section.trimEnd()}\n\n${block}`;
  } else {
    const next = section.slice(at + 1).search(/\n### /);
    const end = next < 0 ? section.length : at + 1 + next + 1;
    updated = `${section.slice(0, at + 1)}${block}${end < section.length ? `\n${section.slice(end)}` : ''}`;
  }
  text = text.slice(0, sectionStart) + updated.trimEnd() + (nextSection < 0 ? '\n' : `\n\n${text.slice(sectionEnd)}`);
  fs.writeFileSync(file, text);
}

async function main(): Promise<void> {
  let pgDatabase: string | undefined;
  if (!args.get('mongo') && backend === 'postgresql') {
    pgDatabase = `rapport_campaign_bench_${Date.now()}`;
    psql(`CREATE DATABASE ${pgDatabase}`);
  }
  const ferret = args.get('mongo') ? undefined : await startFerretDb({
    database: 'rapport_campaign_bench',
    ...(pgDatabase ? { handler: 'postgresql' as const, postgresqlUrl: `${pgServer}/${pgDatabase}` } : {}),
  });
  const mongoUri = args.get('mongo') ?? ferret!.uri;
  const redisUrl = args.get('redis') ?? 'redis://127.0.0.1:6379';
  const stub = await startStubChannel({ countOnly: true });
  let bot: Awaited<ReturnType<typeof startBotProcess>> | undefined;
  let connection: Connection | undefined;
  const dropDatabase = () => {
    if (pgDatabase) { try { psql(`DROP DATABASE IF EXISTS ${pgDatabase}`); } catch { /* reported by psql on stderr */ } }
    pgDatabase = undefined;
  };
  cleanup = async () => {
    await bot?.kill().catch(() => undefined);
    await ferret?.stop();
    dropDatabase();
  };
  try {
    process.stdout.write(`Baseline: ${customerCount} plain fetch POSTs to the stub channel, ${concurrency} at a time…\n`);
    const baselineRate = await rawChannelRate(stub.url, customerCount, concurrency);
    const baselineDelivered = stub.deliveredTotal();

    process.stdout.write(`Seeding ${customerCount} customers with consent and a conversation…\n`);
    const seedStarted = Date.now();
    connection = await openMongoConnection(mongoUri);
    const customers = await seedCustomersWithConversations(connection, { count: customerCount, serviceUrl: stub.url, prefix: 'bench', tags: ['bench'] });
    process.stdout.write(`  seeded in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s\n`);

    bot = await startBotProcess({
      MONGODB_URI: mongoUri, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `rapport-campaign-bench:${Date.now()}:`, LOG_LEVEL: 'warn',
      CAMPAIGN_POLL_MS: '200', CAMPAIGN_BATCH_SIZE: String(batchSize), CAMPAIGN_CONCURRENCY: String(concurrency),
      TRANSCRIPT_FLUSH_MS: '100',
      ...(botNodeOptions ? { NODE_OPTIONS: botNodeOptions } : {}),
    });
    // Idle baseline: after start-up settles, a few samples a little apart.
    await sleep(3000);
    const idleSamples: number[] = [];
    for (let i = 0; i < 10; i += 1) { idleSamples.push(readMemory(bot.pid)!.rssKb); await sleep(100); }
    const idleKb = Math.max(...idleSamples);
    const hwmBeforeKb = readMemory(bot.pid)!.peakKb;

    process.stdout.write(`Launching a message campaign to ${customerCount} recipients (no rate limit)…\n`);
    const campaignId = (await putRunningCampaign(connection!, customers, { name: 'Bench greeting', audience: { tagsAny: ['bench'] } })).id;
    const launchedAt = performance.now();
    let peakKb = idleKb;
    let firstAt: number | undefined;
    const target = baselineDelivered + customerCount;
    let lastProgress = 0;
    let timedOut = false;
    for (;;) {
      const memory = readMemory(bot.pid);
      if (!memory) throw new Error(`the bot process died:\n${bot.output()}`);
      peakKb = Math.max(peakKb, memory.rssKb);
      const delivered = stub.deliveredTotal();
      if (firstAt === undefined && delivered > baselineDelivered) firstAt = performance.now();
      if (delivered >= target) break;
      if (performance.now() - launchedAt > maxMinutes * 60_000) {
        timedOut = true;
        process.stdout.write(`  time limit: ${delivered - baselineDelivered} of ${customerCount} delivered after ${maxMinutes} min; figures below cover those\n`);
        break;
      }
      if (performance.now() - lastProgress > 5000) {
        lastProgress = performance.now();
        process.stdout.write(`  ${delivered - baselineDelivered}/${customerCount} delivered, RSS ${mb(memory.rssKb).toFixed(0)} MB\n`);
      }
      await sleep(100);
    }
    const doneAt = performance.now();
    const hwmAfterKb = readMemory(bot.pid)!.peakKb;
    const deliveredCount = stub.deliveredTotal() - baselineDelivered;
    const status = await (async () => {
      for (let i = 0; i < (timedOut ? 1 : 100); i += 1) {
        const s = await campaignStatus(connection!, campaignId);
        if (s.status === 'completed') return s;
        await sleep(200);
      }
      return campaignStatus(connection!, campaignId);
    })();
    const perConversation = stub.deliveredCounts();
    const duplicates = [...perConversation.entries()].filter(([id, n]) => id.startsWith('bench-conv-') && n > 1).length;

    const sendSeconds = (doneAt - launchedAt) / 1000;
    const rate = deliveredCount / sendSeconds;
    const steadyRate = firstAt ? (deliveredCount - 1) / ((doneAt - firstAt) / 1000) : rate;
    const growthMb = mb(peakKb - idleKb);
    const rows: Array<[string, string]> = [
      ['recipients / delivered in this run', `${customerCount} / ${deliveredCount}${timedOut ? ` (stopped at the ${maxMinutes} min limit)` : ''}`],
      ['sender concurrency / batch', `${concurrency} / ${batchSize}`],
      ['bot node options', botNodeOptions ? `\`${botNodeOptions}\`` : '(none: V8 defaults)'],
      ['time from launch to last message', `${sendSeconds.toFixed(1)} s`],
      ['messages per second (launch → last)', rate.toFixed(1)],
      ['messages per second (first → last)', steadyRate.toFixed(1)],
      ['baseline: plain fetch to the stub channel', `${baselineRate.toFixed(1)} msg/s`],
      ['bot RSS idle', `${mb(idleKb).toFixed(1)} MB`],
      ['bot RSS peak while sending', `${mb(peakKb).toFixed(1)} MB`],
      ['peak RSS growth over idle (goal ≤ 100 MB)', `${growthMb.toFixed(1)} MB`],
      ['bot VmHWM before / after', `${mb(hwmBeforeKb).toFixed(1)} / ${mb(hwmAfterKb).toFixed(1)} MB`],
      ['conversations that got the campaign twice', String(duplicates)],
      ['campaign status / sent', `${status.status} / ${status.counts.sent ?? 0}`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(`\n${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
    const ratio = rate / baselineRate;
    process.stdout.write(`\nratio: campaign sender ${rate.toFixed(1)} msg/s / plain fetch ${baselineRate.toFixed(1)} msg/s = ${ratio.toFixed(3)}\n`);
    process.stdout.write(`memory: peak growth ${growthMb.toFixed(1)} MB ${growthMb <= 100 ? '≤' : '>'} 100 MB goal\n`);

    if (writeDocs) {
      const cpus = os.cpus();
      writePerformanceSubsection(backendLabel, [
        `Command: \`${command}\` (${backendLabel}${args.get('mongo') ? '' : ' started by the bench'}, local Redis, the bot as a child process,`,
        `a loopback stub Bot Framework channel; ${cpus.length} × ${cpus[0]?.model ?? 'CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)},`,
        `load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')}).`,
        '',
        '| measure | value |',
        '|---|---|',
        ...rows.map(([k, v]) => `| ${k} | ${v} |`),
        '',
        `Ratio to the baseline (the bench posting the same number of activities to the stub with plain fetch, ${concurrency} at a time): **${ratio.toFixed(3)}**.`,
        '',
      ].join('\n'));
      process.stdout.write('docs/PERFORMANCE.md updated\n');
    }
  } finally {
    await bot?.stop().catch(() => undefined);
    await connection?.close();
    await stub.close();
    await ferret?.stop();
    dropDatabase();
  }
}

// Ctrl-C or a kill still stops the bot child and FerretDB.
let cleanup: (() => Promise<void>) | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => { void (cleanup?.() ?? Promise.resolve()).finally(() => process.exit(130)); });
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`campaign bench failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
