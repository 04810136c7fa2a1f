/**
 * Trains an intent model: `npm run nlu:train -- --data FILE [--data MORE] --out MODEL [--oos-label oos]`.
 * Same data and options give the same bytes, so the shipped model can be rebuilt and diffed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { IntentClassifier, type IntentClassifierOptions } from '../intentClassifier';
import { readLabelledFile } from '../labelledData';
import { DEFAULT_FEATURE_OPTIONS } from '../featureExtractor';

const { values } = parseArgs({
  options: {
    data: { type: 'string', multiple: true },
    out: { type: 'string' },
    'oos-label': { type: 'string' },
    algorithm: { type: 'string' },
    seed: { type: 'string' },
    c: { type: 'string' },
    epochs: { type: 'string' },
    balance: { type: 'boolean', default: false },
    folds: { type: 'string' },
    'char-ngrams': { type: 'string' },
    synonyms: { type: 'boolean', default: false },
    'word-pairs': { type: 'boolean', default: false },
    shrinking: { type: 'boolean', default: false },
    'threshold-oos-weight': { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});

if (!values.data?.length || !values.out) {
  process.stderr.write('usage: nlu:train -- --data FILE [--data FILE…] --out MODEL [--oos-label LABEL] [--algorithm svm|softmax|ensemble] [--seed N] [--c C] [--epochs N] [--balance] [--char-ngrams 1-4] [--folds K (1 = one 15% split)] [--synonyms] [--word-pairs] [--shrinking] [--threshold-oos-weight W]\n');
  process.exit(2);
}

const examples = values.data.flatMap((file) => readLabelledFile(file));
const options: Partial<IntentClassifierOptions> = { oosLabel: values['oos-label'] ?? null };
if (values.algorithm) options.algorithm = values.algorithm as IntentClassifierOptions['algorithm'];
if (values.seed) options.seed = Number(values.seed);
if (values.c || values.epochs || values.shrinking) {
  options.svm = { c: Number(values.c ?? 1), epochs: Number(values.epochs ?? 10), ...(values.shrinking ? { shrinking: true } : {}) };
}
if (values.balance) options.balanceClasses = true;
if (values.folds) options.validationFolds = Number(values.folds);
if (values['char-ngrams']) {
  const [min, max] = values['char-ngrams'].split('-').map(Number);
  options.features = { ...DEFAULT_FEATURE_OPTIONS, charNgramMin: min, charNgramMax: max ?? min };
}
if (values['word-pairs']) options.features = { ...(options.features ?? DEFAULT_FEATURE_OPTIONS), wordPairs: true, pairStopWords: true };
if (values.synonyms) options.features = { ...(options.features ?? DEFAULT_FEATURE_OPTIONS), synonyms: true };
if (values['threshold-oos-weight']) options.thresholdOosWeight = Number(values['threshold-oos-weight']);

const bar = new SingleBar({ format: '{stage} [{bar}] {value}/{total}', hideCursor: true, stream: process.stderr, noTTYOutput: false }, Presets.shades_classic);
let stage = '';
const started = Date.now();
const classifier = IntentClassifier.train(examples, options, values.quiet ? undefined : (name, done, total) => {
  if (name !== stage) {
    if (stage) bar.stop();
    stage = name;
    bar.start(total, done, { stage: name.padEnd(10) });
  } else {
    bar.update(done);
  }
});
if (stage) bar.stop();

fs.mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true });
fs.writeFileSync(values.out, JSON.stringify(classifier.toJSON()) + '\n');
const r = classifier.report;
const pct = (x: number | null): string => (x === null ? 'n/a' : `${(x * 100).toFixed(2)}%`);
process.stdout.write([
  `trained ${r.examples} examples, ${classifier.labels.length} labels, ${r.features} features in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  `validation (${r.validationExamples} out-of-fold predictions on the training data): accuracy ${pct(r.validationAccuracy)}, ` +
    `accepted-and-correct ${pct(r.validationAcceptedAccuracy)}, out-of-scope recall ${pct(r.validationOosRecall)}`,
  `threshold ${classifier.threshold}, temperature ${classifier.temperature}`,
  `wrote ${values.out}`,
].join('\n') + '\n');
