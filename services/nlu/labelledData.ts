/**
 * Reads labelled text files for the NLU tools: CSV with a header holding `text` and a label
 * column (`label`, `category` or `intent`), parsed by csv-parse since fields may hold quoted
 * newlines; or JSON lines `{"text", "label"}`.
 */
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { LabelledText } from './intentClassifier';

const LABEL_COLUMNS = ['label', 'category', 'intent'];

/**
 * Reads a data file. Rows without a label get `defaultLabel` when given (so an unlabelled
 * off-topic file can be read as out-of-scope), else the file is rejected.
 */
export function readLabelledFile(file: string, defaultLabel?: string): LabelledText[] {
  const content = fs.readFileSync(file, 'utf8');
  return /\.csv$/i.test(file) ? readCsv(content, file, defaultLabel) : readJsonLines(content, file, defaultLabel);
}

function readCsv(content: string, file: string, defaultLabel?: string): LabelledText[] {
  const rows = parse(content, { columns: true, skip_empty_lines: true, bom: true }) as Record<string, string>[];
  if (rows.length === 0) return [];
  const header = Object.keys(rows[0]);
  if (!header.includes('text')) throw new Error(`${file}: no 'text' column (columns: ${header.join(', ')})`);
  const labelColumn = LABEL_COLUMNS.find((c) => header.includes(c));
  if (!labelColumn && defaultLabel === undefined) throw new Error(`${file}: no label column (one of ${LABEL_COLUMNS.join(', ')})`);
  return rows.map((row) => ({ text: row.text, label: labelColumn ? row[labelColumn] : (defaultLabel as string) }));
}

function readJsonLines(content: string, file: string, defaultLabel?: string): LabelledText[] {
  const out: LabelledText[] = [];
  content.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const row = JSON.parse(line) as { text?: unknown; label?: unknown; intent?: unknown; category?: unknown };
    const label = row.label ?? row.intent ?? row.category ?? defaultLabel;
    if (typeof row.text !== 'string' || typeof label !== 'string') throw new Error(`${file}:${i + 1}: expected {"text","label"}`);
    out.push({ text: row.text, label });
  });
  return out;
}
