/**
 * Evaluates a model: `npm run nlu:eval -- --model MODEL --test FILE [--test MORE] [--oos-label oos]`.
 * With --oos-label, rows carrying that label (or no label) are out-of-scope and count as
 * correct when the recognizer answers None.
 */
import { parseArgs } from 'node:util';
import { IntentRecognizer, NONE_INTENT } from '../intentRecognizer';
import { readLabelledFile } from '../labelledData';
import { evaluate, formatEvaluation } from '../intentEvaluation';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    test: { type: 'string', multiple: true },
    'oos-label': { type: 'string' },
    locale: { type: 'string' },
  },
});

if (!values.model || !values.test?.length) {
  process.stderr.write('usage: nlu:eval -- --model MODEL --test FILE [--test FILE…] [--oos-label LABEL] [--locale zh-CN]\n');
  process.exit(2);
}

const oosLabel = values['oos-label'];
const rows = values.test.flatMap((file) => readLabelledFile(file, oosLabel));
const recognizer = IntentRecognizer.fromFile(values.model);
const predictions: string[] = [];
const bestIntents: string[] = [];
const latencies: number[] = [];
for (const row of rows) {
  const started = process.hrtime.bigint();
  const result = recognizer.recognize(row.text, values.locale);
  latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
  predictions.push(result.topIntent === NONE_INTENT && oosLabel !== undefined ? oosLabel : result.topIntent);
  bestIntents.push(Object.entries(result.intents).reduce((a, b) => (b[1].score > a[1].score ? b : a))[0]);
}
const gold = rows.map((r) => r.label);
const final = evaluate(gold, predictions, latencies, oosLabel);
// Confusions between intents are clearer before the threshold turns doubtful answers into None.
const inScope = gold.map((g, i) => i).filter((i) => gold[i] !== oosLabel);
const beforeThreshold = evaluate(inScope.map((i) => gold[i]), inScope.map((i) => bestIntents[i]));
process.stdout.write(formatEvaluation({ ...final, confusedPairs: beforeThreshold.confusedPairs }) + '\n' +
  `in-scope accuracy before the threshold: ${(beforeThreshold.accuracy * 100).toFixed(2)}% (${inScope.length} rows)\n`);
