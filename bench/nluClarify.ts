/**
 * How often "which did you mean?" would ask, and how many wrong intents it would catch
 * (`npm run bench:nlu-clarify`): for each margin, over the development sets, the share of messages
 * asked about (and how many of those the recognizer had right anyway) and the wrong accepted
 * intents whose right intent is the second choice offered. Uses the shipped model and the same
 * rule as the bot (`closeIntents`). Not a test; figures go to docs/NLU.md.
 */
import path from 'node:path';
import { IntentRecognizer, NONE_INTENT } from '../services/nlu/intentRecognizer';
import { readLabelledFile } from '../services/nlu/labelledData';
import { closeIntents } from '../services/nlu/intentClarification';
import { INQUIRY_INTENTS } from '../services/knowledge/knowledgeBase';

/** The intents that lead to a dialog (the routes in bot/dialogComposition.ts). */
const ROUTED = new Set<string>([
  'complaint_file', 'complaint_status', 'callback_book', 'callback_list', 'callback_reschedule', 'callback_cancel',
  'survey_feedback', 'opt_out', ...INQUIRY_INTENTS,
]);
const MARGINS = [0.1, 0.2, 0.3, 0.4];

const repoRoot = path.resolve(__dirname, '..');
const recognizer = IntentRecognizer.fromFile(path.join(repoRoot, 'data/nlu/model.json'));

for (const file of ['dev.jsonl', 'dev2.jsonl', 'dev3.jsonl']) {
  const rows = readLabelledFile(path.join(repoRoot, 'data/nlu', file));
  const recognitions = rows.map((row) => ({ label: row.label, result: recognizer.recognize(row.text) }));
  const wrong = recognitions.filter(({ label, result }) => result.topIntent !== NONE_INTENT && result.topIntent !== label).length;
  const parts = MARGINS.map((margin) => {
    let asked = 0;
    let rightAnyway = 0;
    let caught = 0;
    for (const { label, result } of recognitions) {
      const offered = closeIntents(result, margin, (intent) => ROUTED.has(intent));
      if (!offered) continue;
      asked += 1;
      if (offered[0] === label) rightAnyway += 1;
      else if (offered[1] === label) caught += 1;
    }
    return `margin ${margin}: asked ${(100 * asked / rows.length).toFixed(1)} % (${rightAnyway} right anyway), caught ${caught} of ${wrong} wrong`;
  });
  console.log(`${file} (${rows.length} rows)\n  ${parts.join('\n  ')}`);
}
