/**
 * Where the knowledge base answers a recognised inquiry intent with another topic's article (the
 * question's words point to it overwhelmingly, see KnowledgeBase.answerForIntent): over the
 * inquiry rows of Rapport's development sets, which answers differ from the intent's own best
 * article, and how close each was. Prints one line per changed answer and the count.
 *
 *   npm run bench:kb-override
 */
import fs from 'node:fs';
import path from 'node:path';
import { KnowledgeBase } from '../services/knowledge/knowledgeBase';
import { APPLICATION_STATUS_INTENT } from '../dialogs/inquiryDialog';

const root = path.resolve(__dirname, '..');
const knowledgeBase = new KnowledgeBase({ directory: path.join(root, 'data/kb') });
let rows = 0;
let changed = 0;
for (const file of ['dev.jsonl', 'dev2.jsonl', 'dev3.jsonl']) {
  for (const line of fs.readFileSync(path.join(root, 'data/nlu', file), 'utf8').split('\n').filter(Boolean)) {
    const { text, label } = JSON.parse(line) as { text: string; label: string };
    if (!label.startsWith('inquiry_') || label === APPLICATION_STATUS_INTENT) continue;
    rows++;
    const language = /\p{Script=Han}/u.test(text) ? 'zh-CN' : 'en';
    const answer = knowledgeBase.answerForIntent(label, text, language);
    if (answer && answer.intent !== label) {
      changed++;
      console.log(`${file}\t${label}\t${text}\t→ ${answer.id} (${answer.intent})`);
    }
  }
}
console.log(`${changed} of ${rows} inquiry questions answered by another topic's article`);
