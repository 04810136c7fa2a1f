/**
 * Development sets: dev2.jsonl / dev2-oos.jsonl, written without reading the training files, and
 * dev3.jsonl, the first held-out file, retired to a development set after its third evaluation
 * (docs/NLU.md, "Fourth round"). They choose the None rule and show how far the recognizer
 * generalises. These checks keep them balanced, labelled with intents the bot routes, and free of
 * any row the model was trained on or the current held-out file holds: a dev row that is also a
 * training row would make the set measure memory instead of generalisation.
 */
import fs from 'node:fs';
import path from 'node:path';
import { INQUIRY_INTENTS } from '../../../services/knowledge/knowledgeBase';
import { readLabelledFile } from '../../../services/nlu/labelledData';
import { repoRoot } from '../../support/dialogHarness';

const nluDir = path.join(repoRoot, 'data/nlu');

/** The conversational intents the main dialog handles itself or routes to a feature dialog. */
const CONVERSATION_INTENTS = [
  'greeting', 'goodbye', 'thanks', 'help', 'cancel', 'human_agent', 'complaint_file', 'complaint_status',
  'callback_book', 'callback_reschedule', 'callback_cancel', 'callback_list', 'survey_feedback', 'opt_out',
];
const INTENTS = [...CONVERSATION_INTENTS, ...INQUIRY_INTENTS];
const ROWS_PER_INTENT_AND_LANGUAGE = 12;

/** Lower case, compatibility forms folded, punctuation, symbols and white space removed. */
function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\p{P}\p{S}\s]/gu, '');
}

function languageOf(text: string): 'zh' | 'en' {
  return /\p{Script=Han}/u.test(text) ? 'zh' : 'en';
}

/** Each non-empty line parsed as JSON, so a malformed line fails the test that reads it. */
function jsonLines(file: string): Array<Record<string, unknown>> {
  return fs.readFileSync(path.join(nluDir, file), 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const dev2Oos = jsonLines('dev2-oos.jsonl');

function trainingKeys(): Set<string> {
  return new Set([
    ...readLabelledFile(path.join(nluDir, 'train.jsonl')),
    ...readLabelledFile(path.join(nluDir, 'train-extra.jsonl')),
    ...readLabelledFile(path.join(nluDir, 'oos-train.jsonl'), 'None'),
  ].map((row) => normalise(row.text)));
}

describe.each(['dev2.jsonl', 'dev3.jsonl'])('The development set %s', (file) => {
  const dev = jsonLines(file);

  test('When it is read, then every row has text and a known label and nothing else', () => {
    const malformed = dev.filter((row) => typeof row.text !== 'string' || (row.text as string).trim() === ''
      || typeof row.label !== 'string' || !INTENTS.includes(row.label as string)
      || Object.keys(row).sort().join(',') !== 'label,text');
    expect(malformed).toEqual([]);
  });

  test('When it is counted, then each intent has 12 Chinese and 12 English rows', () => {
    const counts = new Map<string, number>();
    for (const row of dev) {
      const key = `${row.label as string}/${languageOf(row.text as string)}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const expected = new Map(INTENTS.flatMap((intent) => (['zh', 'en'] as const)
      .map((lang) => [`${intent}/${lang}`, ROWS_PER_INTENT_AND_LANGUAGE] as [string, number])));
    expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(expected));
    expect(dev).toHaveLength(INTENTS.length * 2 * ROWS_PER_INTENT_AND_LANGUAGE);
  });

  test('When compared with the training files and the held-out file, then it shares no normalised row with them', () => {
    const training = trainingKeys();
    expect(training.size).toBeGreaterThan(0);
    const heldout = new Set(jsonLines('heldout.jsonl').map((row) => normalise(row.text as string)));
    const shared = dev.map((row) => row.text as string).filter((text) => training.has(normalise(text)) || heldout.has(normalise(text)));
    expect(shared).toEqual([]);
  });
});

describe('The second development set', () => {
  const dev2 = jsonLines('dev2.jsonl');
  test('When the known intents are listed, then there are 25 distinct ones and the training data uses each', () => {
    expect(new Set(INTENTS).size).toBe(25);
    const trained = new Set(readLabelledFile(path.join(nluDir, 'train.jsonl')).map((r) => r.label));
    expect(INTENTS.filter((intent) => !trained.has(intent))).toEqual([]);
  });

  test('When dev2-oos is read, then it has at least 90 unlabelled rows in both languages', () => {
    expect(dev2Oos.length).toBeGreaterThanOrEqual(90);
    expect(dev2Oos.filter((row) => typeof row.text !== 'string' || Object.keys(row).join(',') !== 'text')).toEqual([]);
    const chinese = dev2Oos.filter((row) => languageOf(row.text as string) === 'zh').length;
    expect(chinese).toBeGreaterThanOrEqual(dev2Oos.length * 0.4);
    expect(dev2Oos.length - chinese).toBeGreaterThanOrEqual(dev2Oos.length * 0.4);
  });

  test('When both files are normalised, then no row appears twice across them', () => {
    const all = [...dev2, ...dev2Oos].map((row) => normalise(row.text as string));
    const repeated = all.filter((text, i) => all.indexOf(text) !== i);
    expect(repeated).toEqual([]);
  });

  test('When compared with the training files, then neither file shares a normalised row with them', () => {
    const training = trainingKeys();
    expect(training.size).toBeGreaterThan(0);
    const shared = [...dev2, ...dev2Oos].map((row) => row.text as string).filter((text) => training.has(normalise(text)));
    expect(shared).toEqual([]);
  });
});
