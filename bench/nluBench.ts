/**
 * NLU benchmark on BANKING77 (`npm run bench:nlu`): Rapport's classifier beside natural's
 * BayesClassifier (full training set) and LogisticRegressionClassifier (10 examples per class,
 * with Rapport's classifier on the same subsample). Each run is a child process so peak RSS
 * belongs to one classifier. Not a test; figures go to docs/NLU.md.
 *
 *   npm run bench:nlu [-- --data-dir DIR] [--skip-natural-lr] [--per-class 10]
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { IntentClassifier, type IntentClassifierOptions } from '../services/nlu/intentClassifier';
import { DEFAULT_FEATURE_OPTIONS } from '../services/nlu/featureExtractor';
import { readLabelledFile } from '../services/nlu/labelledData';
import { loadBayesClassifier, loadLogisticRegressionClassifier, type NaturalClassifier } from '../services/nlu/naturalLoader';
import { percentile } from '../services/nlu/intentEvaluation';
import { normalizeText } from '../services/nlu/textNormalizer';
import { createRandom, shuffledIndices } from '../services/nlu/linearTrainers';
import type { LabelledText } from '../services/nlu/intentClassifier';

/**
 * Rapport's classifier settings for BANKING77, chosen on a 15% validation split of train.csv
 * (docs/NLU.md): the SVM is as accurate as the softmax there at a fraction of the training time;
 * unordered word pairs (function words kept) gained +1.1 points there.
 */
const BANKING77_OPTIONS: Partial<IntentClassifierOptions> = {
  algorithm: 'svm',
  svm: { epochs: 10, c: 1.5, shrinking: true },
  balanceClasses: true,
  validationFolds: 1,
  features: { ...DEFAULT_FEATURE_OPTIONS, charNgramMin: 1, charNgramMax: 4, wordPairs: true, pairStopWords: true },
};

type RunName = 'rapport-full' | 'bayes-full' | 'rapport-subsample' | 'natural-lr-subsample';

interface RunResult {
  run: RunName;
  trainExamples: number;
  trainSeconds: number;
  /** CPU time of training (user + system); steadier than wall time on a shared machine. */
  trainCpuSeconds: number;
  accuracy: number;
  accuracyUnseen: number;
  peakRssMb: number;
  p50Ms: number;
  p99Ms: number;
}

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    only: { type: 'string' },
    'skip-natural-lr': { type: 'boolean', default: false },
    'per-class': { type: 'string', default: '10' },
  },
});
const repoRoot = path.resolve(__dirname, '..');
const dataDir = path.resolve(repoRoot, values['data-dir'] ?? '../shared/datasets/banking77');
const perClass = Number(values['per-class']);

/** Sentences compared ignoring case, punctuation and spacing: 25 BANKING77 test sentences match train ones. */
function sentenceKey(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

function subsample(rows: LabelledText[], n: number): LabelledText[] {
  const order = shuffledIndices(rows.length, createRandom(77));
  const taken = new Map<string, number>();
  const out: LabelledText[] = [];
  for (const i of order) {
    const count = taken.get(rows[i].label) ?? 0;
    if (count < n) { out.push(rows[i]); taken.set(rows[i].label, count + 1); }
  }
  return out;
}

function runOne(run: RunName): RunResult {
  const fullTrain = readLabelledFile(path.join(dataDir, 'train.csv'));
  const test = readLabelledFile(path.join(dataDir, 'test.csv'));
  const train = run.endsWith('subsample') ? subsample(fullTrain, perClass) : fullTrain;
  const seen = new Set(fullTrain.map((r) => sentenceKey(r.text)));
  let classify: (text: string) => string;
  const started = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();
  if (run.startsWith('rapport')) {
    const classifier = IntentClassifier.train(train, BANKING77_OPTIONS);
    classify = (text) => {
      const { probabilities } = classifier.classifyNormalized(normalizeText(text));
      let best = 0;
      for (let k = 1; k < probabilities.length; k++) if (probabilities[k] > probabilities[best]) best = k;
      return classifier.labels[best];
    };
  } else {
    const Ctor = run === 'bayes-full' ? loadBayesClassifier() : loadLogisticRegressionClassifier();
    const natural: NaturalClassifier = new Ctor();
    for (const row of train) natural.addDocument(row.text, row.label);
    natural.train();
    classify = (text) => natural.classify(text);
  }
  const trainSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuStarted);
  const trainCpuSeconds = (cpu.user + cpu.system) / 1e6;
  // Steady-state latency, as in a running bot (which loads a model and never trains in-process):
  // the training garbage is collected (children run with --expose-gc) and 500 warm-up queries on
  // training sentences go first, so the timed queries do not pay for JIT or for that garbage.
  (globalThis as { gc?: () => void }).gc?.();
  for (let i = 0; i < Math.min(500, train.length); i++) classify(train[i].text);
  let correct = 0;
  let unseenCorrect = 0;
  let unseen = 0;
  const latencies: number[] = [];
  for (const row of test) {
    const t0 = process.hrtime.bigint();
    const predicted = classify(row.text);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const ok = predicted === row.label;
    if (ok) correct++;
    if (!seen.has(sentenceKey(row.text))) { unseen++; if (ok) unseenCorrect++; }
  }
  return {
    run,
    trainExamples: train.length,
    trainSeconds,
    trainCpuSeconds,
    accuracy: correct / test.length,
    accuracyUnseen: unseenCorrect / unseen,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

if (values.only) {
  process.stdout.write(JSON.stringify(runOne(values.only as RunName)) + '\n');
} else {
  const runs: RunName[] = ['rapport-full', 'bayes-full', 'rapport-subsample'];
  if (!values['skip-natural-lr']) runs.push('natural-lr-subsample');
  const test = readLabelledFile(path.join(dataDir, 'test.csv'));
  const trainTexts = new Set(readLabelledFile(path.join(dataDir, 'train.csv')).map((r) => sentenceKey(r.text)));
  const overlap = test.filter((r) => trainTexts.has(sentenceKey(r.text))).length;
  process.stdout.write(`BANKING77 from ${dataDir}: ${test.length} test sentences, ${overlap} of them also in train.csv\n`);
  process.stdout.write('run                    train  train s    cpu s   acc(all)  acc(unseen)  peak RSS MB  p50 ms  p99 ms\n');
  for (const run of runs) {
    const args = [...process.execArgv, '--expose-gc', __filename, '--only', run, '--data-dir', dataDir, '--per-class', String(perClass)];
    const r = JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 })) as RunResult;
    process.stdout.write(
      `${r.run.padEnd(22)} ${String(r.trainExamples).padStart(5)} ${r.trainSeconds.toFixed(1).padStart(8)} ${r.trainCpuSeconds.toFixed(1).padStart(8)} ` +
        `${(r.accuracy * 100).toFixed(2).padStart(9)}% ${(r.accuracyUnseen * 100).toFixed(2).padStart(11)}% ` +
        `${r.peakRssMb.toFixed(0).padStart(12)} ${r.p50Ms.toFixed(3).padStart(7)} ${r.p99Ms.toFixed(3).padStart(7)}\n`,
    );
  }
}
