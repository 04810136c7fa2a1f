/**
 * Checks the hand-written Rapport NLU data in data/nlu: well-formed JSON lines, fixed labels,
 * enough examples per intent and language, no duplicates, and no leakage between the training
 * files (train.jsonl and the broader full-sentence train-extra.jsonl) and the held-out /
 * off-topic files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DATA_DIR = join(__dirname, '..', '..', '..', 'data', 'nlu');

const INTENTS = [
  'greeting', 'goodbye', 'thanks', 'help', 'cancel', 'human_agent',
  'complaint_file', 'complaint_status',
  'callback_book', 'callback_reschedule', 'callback_cancel', 'callback_list',
  'survey_feedback', 'opt_out',
  'inquiry_loans', 'inquiry_project_financing', 'inquiry_rates', 'inquiry_repayment',
  'inquiry_documents', 'inquiry_application_status', 'inquiry_account_opening', 'inquiry_fees',
  'inquiry_online_banking', 'inquiry_branch_hours', 'inquiry_lost_token_card',
] as const;

const LANGUAGES = ['zh', 'en'] as const;
type Language = (typeof LANGUAGES)[number];

interface Row { text: string; label?: string; line: number }

function readJsonLines(file: string, labelled: boolean): Row[] {
  const raw = readFileSync(join(DATA_DIR, file), 'utf8');
  const rows: Row[] = [];
  raw.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null) throw new Error(`${file}:${index + 1} is not an object`);
    const record = parsed as Record<string, unknown>;
    const { text, label } = record;
    if (typeof text !== 'string' || text.trim() === '') throw new Error(`${file}:${index + 1} has no text`);
    if (labelled && typeof label !== 'string') throw new Error(`${file}:${index + 1} has no label`);
    rows.push({ text, label: typeof label === 'string' ? label : undefined, line: index + 1 });
  });
  return rows;
}

/** A sentence counts as Chinese when it holds at least one Han character. */
function languageOf(text: string): Language {
  return /\p{Script=Han}/u.test(text) ? 'zh' : 'en';
}

/** Key used to spot duplicates that differ only by case, width, spacing or punctuation. */
function dedupeKey(text: string): string {
  const key = text.normalize('NFKC').toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');
  return key === '' ? text.normalize('NFKC').trim() : key;
}

function countBy(rows: Row[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of rows) {
    const key = `${row.label ?? ''}/${languageOf(row.text)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function duplicatesWithin(rows: Row[]): string[] {
  const seen = new Map<string, Row>();
  const dups: string[] = [];
  for (const row of rows) {
    const key = dedupeKey(row.text);
    const previous = seen.get(key);
    if (previous) dups.push(`line ${row.line} "${row.text}" repeats line ${previous.line} "${previous.text}"`);
    else seen.set(key, row);
  }
  return dups;
}

describe('Rapport NLU training data', () => {
  const train = readJsonLines('train.jsonl', true);
  const extra = readJsonLines('train-extra.jsonl', true);
  const heldout = readJsonLines('heldout.jsonl', true);
  const offtopic = readJsonLines('offtopic.jsonl', false);

  it('When the labelled files are read, then every label is one of the fixed intents', () => {
    const allowed = new Set<string>(INTENTS);
    const unknown = [...train, ...extra, ...heldout].filter((row) => !allowed.has(row.label ?? ''));
    expect(unknown).toEqual([]);
  });

  it('When the off-topic file is read, then its rows carry no label', () => {
    expect(offtopic.filter((row) => row.label !== undefined)).toEqual([]);
  });

  it.each([
    ['train.jsonl', 45],
    ['train-extra.jsonl', 50],
    ['heldout.jsonl', 12],
  ] as const)('When %s is counted per intent and language, then each has at least %i examples', (file, minimum) => {
    const counts = countBy(file === 'train.jsonl' ? train : file === 'train-extra.jsonl' ? extra : heldout);
    const short: string[] = [];
    for (const intent of INTENTS) {
      for (const language of LANGUAGES) {
        const count = counts.get(`${intent}/${language}`) ?? 0;
        if (count < minimum) short.push(`${intent}/${language}: ${count}`);
      }
    }
    expect(short).toEqual([]);
  });

  it('When the off-topic file is counted, then it has at least 80 sentences with both languages represented', () => {
    expect(offtopic.length).toBeGreaterThanOrEqual(80);
    expect(offtopic.filter((row) => languageOf(row.text) === 'zh').length).toBeGreaterThanOrEqual(30);
    expect(offtopic.filter((row) => languageOf(row.text) === 'en').length).toBeGreaterThanOrEqual(30);
  });

  it.each([
    ['train.jsonl', train],
    ['train-extra.jsonl', extra],
    ['heldout.jsonl', heldout],
    ['offtopic.jsonl', offtopic],
  ] as const)('When %s is scanned, then no sentence appears twice', (_file, rows) => {
    expect(duplicatesWithin(rows)).toEqual([]);
  });

  it('When the held-out and off-topic files are compared with training, then no sentence is shared', () => {
    const trainKeys = new Set(train.map((row) => dedupeKey(row.text)));
    const leaked = [...heldout, ...offtopic].filter((row) => trainKeys.has(dedupeKey(row.text))).map((row) => row.text);
    expect(leaked).toEqual([]);
  });

  it('When train-extra.jsonl is compared with train.jsonl, then it adds only new sentences', () => {
    const trainKeys = new Set(train.map((row) => dedupeKey(row.text)));
    expect(extra.filter((row) => trainKeys.has(dedupeKey(row.text))).map((row) => `train-extra.jsonl line ${row.line}`)).toEqual([]);
  });

  it('When train-extra.jsonl is compared with the held-out and off-topic files, then no sentence is shared', () => {
    // Reports only the line numbers of train-extra.jsonl, so a leak can be removed without reading the test files.
    const testKeys = new Set([...heldout, ...offtopic].map((row) => dedupeKey(row.text)));
    expect(extra.filter((row) => testKeys.has(dedupeKey(row.text))).map((row) => `train-extra.jsonl line ${row.line}`)).toEqual([]);
  });

  it('When the held-out file is compared with the off-topic file, then no sentence is shared', () => {
    const heldKeys = new Set(heldout.map((row) => dedupeKey(row.text)));
    expect(offtopic.filter((row) => heldKeys.has(dedupeKey(row.text))).map((row) => row.text)).toEqual([]);
  });
});
