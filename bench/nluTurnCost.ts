/**
 * What recognising one client message costs the bot (`npm run bench:nlu-turn`): CPU per
 * `IntentRecognizer.recognize` over the development sentences, when the turn reads only the
 * intent (most turns) and when it also reads the entities (dates, amounts, phones, references),
 * which are extracted on first read. Both are measured in the same run, alternating, so the
 * ratio holds on a busy machine. Not a test; figures go to docs/NLU.md.
 *
 *   npm run bench:nlu-turn [-- --rounds 5]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { IntentRecognizer } from '../services/nlu/intentRecognizer';
import { readLabelledFile } from '../services/nlu/labelledData';
import { percentile } from '../services/nlu/intentEvaluation';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const rounds = Math.max(1, Number(values.rounds) || 5);
const repoRoot = path.resolve(__dirname, '..');
const recognizer = IntentRecognizer.fromFile(path.join(repoRoot, 'data/nlu/model.json'));
const texts = ['dev.jsonl', 'dev2.jsonl', 'dev3.jsonl'].flatMap((file) => readLabelledFile(path.join(repoRoot, 'data/nlu', file)).map((row) => row.text));

/** CPU milliseconds per message and per-message wall-time latencies for one pass over the texts. */
function pass(readEntities: boolean): { cpuMs: number; latencies: number[] } {
  const latencies: number[] = [];
  let sink = 0;
  const cpu0 = process.cpuUsage();
  for (const text of texts) {
    const started = process.hrtime.bigint();
    const result = recognizer.recognize(text, undefined, new Date('2026-11-30T10:00:00+08:00'));
    sink += readEntities ? result.entities.length : result.topIntent.length;
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const cpu = process.cpuUsage(cpu0);
  if (sink < 0) console.log(sink);
  return { cpuMs: (cpu.user + cpu.system) / 1000 / texts.length, latencies };
}

pass(true); // warm-up: model pages, recognizers' regular expressions
const results = { intent: { cpu: [] as number[], latencies: [] as number[] }, entities: { cpu: [] as number[], latencies: [] as number[] } };
for (let round = 0; round < rounds; round++) {
  for (const [key, read] of [['intent', false], ['entities', true]] as const) {
    const { cpuMs, latencies } = pass(read);
    results[key].cpu.push(cpuMs);
    results[key].latencies.push(...latencies);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const line = (name: string, r: { cpu: number[]; latencies: number[] }) => {
  return `${name.padEnd(34)} CPU ${median(r.cpu).toFixed(3)} ms/message   p50 ${percentile(r.latencies, 50).toFixed(3)} ms   p99 ${percentile(r.latencies, 99).toFixed(3)} ms`;
};
console.log(`${texts.length} development sentences × ${rounds} rounds (median CPU of the rounds)`);
console.log(line('intent only (entities not read)', results.intent));
console.log(line('intent + entities', results.entities));
console.log(`entities cost ${(median(results.entities.cpu) / median(results.intent.cpu)).toFixed(1)}× the intent alone`);
