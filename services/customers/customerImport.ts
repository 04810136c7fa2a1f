/**
 * CRM customer import from CSV: one customer per row, upserted by `external_id`. The file is
 * streamed (parsed record by record, written in batches), so its size does not matter; bad
 * rows are reported with the physical line they start on and why, good rows are imported,
 * and a row identical to what is stored is not written at all (a second run of the same file
 * changes nothing, not even `updatedAt`). Columns are documented in docs/USAGE.md.
 */
import type { Readable } from 'node:stream';
import { isDeepStrictEqual } from 'node:util';
import { parse, type CsvError, type Info } from 'csv-parse';
import { AppError } from '../appError';
import type { Language } from '../i18n/localizer';
import {
  isTimeZone,
  normalizePhone,
  validateCustomerFields,
  type Customer,
  type CustomerFields,
  type CustomerRepository,
  type CustomerTier,
} from './customerRepository';

/** One rejected row: the line (header = line 1) where its record starts, the CRM id if it had one, and every reason. */
export interface ImportRowError {
  line: number;
  externalId?: string;
  reasons: string[];
}

export interface ImportReport {
  created: number;
  updated: number;
  unchanged: number;
  /** Rejected rows, by line. */
  errors: ImportRowError[];
}

/** The file cannot be imported at all (unreadable, no header, no external_id column). */
export class ImportFileError extends Error {}

/** Accepted column names (after lower-casing and turning spaces and dashes into `_`) and their aliases. */
const COLUMN_ALIASES: Record<string, string> = {
  external_id: 'external_id', externalid: 'external_id', crm_id: 'external_id', customer_id: 'external_id',
  company: 'company', company_name: 'company',
  contact_name: 'contact_name', name: 'contact_name', contact: 'contact_name',
  phone: 'phone', mobile: 'phone', telephone: 'phone',
  email: 'email', e_mail: 'email',
  language: 'language', lang: 'language',
  tier: 'tier',
  relationship_manager: 'relationship_manager', rm: 'relationship_manager',
  tags: 'tags',
  consent_surveys: 'consent_surveys',
  consent_marketing: 'consent_marketing',
  time_zone: 'time_zone', timezone: 'time_zone',
};

const LANGUAGES: Record<string, Language> = {
  'zh-cn': 'zh-CN', zh: 'zh-CN', zh_cn: 'zh-CN', 'zh-hans': 'zh-CN', cn: 'zh-CN', chinese: 'zh-CN', '中文': 'zh-CN', '简体中文': 'zh-CN', '汉语': 'zh-CN',
  en: 'en', 'en-us': 'en', 'en-gb': 'en', english: 'en', '英文': 'en', '英语': 'en',
};
const TIERS: Record<string, CustomerTier> = {
  standard: 'standard', '普通': 'standard', '标准': 'standard',
  priority: 'priority', '优先': 'priority',
  premier: 'premier', '尊享': 'premier', '贵宾': 'premier',
};
const YES = new Set(['yes', 'y', 'true', '1', '是', '同意']);
const NO = new Set(['no', 'n', 'false', '0', '否', '不同意']);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_EXTERNAL_ID = 100;

interface GoodRow {
  line: number;
  externalId: string;
  fields: CustomerFields;
  /** Consent answers given in this row (one may be missing: it keeps its stored value). */
  consent: { surveys?: boolean; marketing?: boolean };
}

export class CustomerImporter {
  private readonly batchSize: number;
  private readonly now: () => Date;

  /** @param options.batchSize rows looked up and written together (default 200). */
  constructor(private readonly customers: CustomerRepository, options: { batchSize?: number; now?: () => Date } = {}) {
    if (!customers) throw new Error('CustomerImporter needs a CustomerRepository');
    this.batchSize = options.batchSize ?? 200;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Imports a CSV (UTF-8, with or without BOM; a header row). Throws {@link ImportFileError}
   * when the stream cannot be read or has no external_id column; bad rows are reported, not thrown.
   */
  async importStream(input: Readable): Promise<ImportReport> {
    const report: ImportReport = { created: 0, updated: 0, unchanged: 0, errors: [] };
    let headerProblem: string | undefined;
    let sawHeader = false;
    const parser = parse({
      bom: true,
      columns: (header: string[]) => {
        sawHeader = true;
        const names = header.map((h) => COLUMN_ALIASES[String(h).normalize('NFKC').trim().toLowerCase().replace(/[\s-]+/g, '_')] ?? `ignored:${h}`);
        if (!names.includes('external_id')) {
          headerProblem = `no external_id column (found: ${header.join(', ') || 'nothing'})`;
          throw new ImportFileError(headerProblem);
        }
        return names;
      },
      info: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      skip_records_with_error: true,
    });
    // csv-parse counts a quoted \r\n as two lines (each of \r and \n); the correction keeps line numbers physical.
    let extraLines = 0;
    parser.on('skip', (error: CsvError) => {
      report.errors.push({ line: Math.max(2, Number((error as unknown as Info).lines ?? 0) - extraLines), reasons: [`unreadable CSV record: ${error.message}`] });
    });
    input.on('error', (error) => parser.destroy(new ImportFileError(`cannot read the file: ${error.message}`)));

    const firstLineOf = new Map<string, number>();
    let batch: GoodRow[] = [];
    let known: Map<string, string> | undefined;
    let writing = false;
    try {
      for await (const { record, info } of input.pipe(parser) as AsyncIterable<{ record: Record<string, string>; info: Info }>) {
        const values = Object.values(record).join('\u0000');
        const crlf = values.match(/\r\n/g)?.length ?? 0;
        const breaks = values.match(/\r\n|\r|\n/g)?.length ?? 0;
        const line = info.lines - extraLines - crlf - breaks;
        extraLines += crlf;
        const row = parseRow(record, line, firstLineOf);
        if ('reasons' in row) {
          report.errors.push(row);
          continue;
        }
        batch.push(row);
        if (batch.length >= this.batchSize) {
          writing = true;
          known ??= await this.snapshot();
          await this.write(batch, report, known);
          writing = false;
          batch = [];
        }
      }
    } catch (error) {
      if (error instanceof ImportFileError || writing) throw error;
      if (headerProblem) throw new ImportFileError(headerProblem);
      throw new ImportFileError(`cannot read the file: ${(error as Error).message}`);
    }
    if (headerProblem) throw new ImportFileError(headerProblem);
    if (!sawHeader) throw new ImportFileError('the file is empty (no header row)');
    if (batch.length) await this.write(batch, report, known ?? await this.snapshot());
    report.errors.sort((a, b) => a.line - b.line);
    return report;
  }

  /**
   * What is stored, read once in one pass over the customers: CRM id → the fields an import
   * compares (as compact JSON). Per-row lookups by CRM id do not scale on FerretDB 1.x (no
   * index use outside _id: ~2 s a lookup at 20k customers), one ordered scan does.
   */
  private async snapshot(): Promise<Map<string, string>> {
    const known = new Map<string, string>();
    for await (const c of this.customers.streamMatching({})) {
      if (c.externalId) known.set(c.externalId, JSON.stringify(comparable(c)));
    }
    return known;
  }

  /** Creates the new rows in one bulk write, updates the changed ones, skips the unchanged. */
  private async write(batch: GoodRow[], report: ImportReport, known: ReadonlyMap<string, string>): Promise<void> {
    const creates: Array<{ row: GoodRow; fields: CustomerFields }> = [];
    const updates: Array<{ row: GoodRow; fields: CustomerFields }> = [];
    for (const row of batch) {
      const storedJson = known.get(row.externalId);
      const stored = storedJson ? JSON.parse(storedJson) as Partial<Customer> : undefined;
      const fields: CustomerFields = { ...row.fields };
      if (row.consent.surveys !== undefined || row.consent.marketing !== undefined) {
        const base = stored?.consent ?? { surveys: false, marketing: false };
        fields.consent = { surveys: row.consent.surveys ?? base.surveys, marketing: row.consent.marketing ?? base.marketing };
      }
      if (!stored) creates.push({ row, fields });
      else if (unchanged(stored, fields)) report.unchanged++;
      else updates.push({ row, fields });
    }
    if (creates.length) {
      let existing: string[] | undefined;
      try {
        ({ existing } = await this.customers.insertMany(creates.map(({ row, fields }) => ({ externalId: row.externalId, fields })), this.now()));
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        // One invalid entry refuses the whole bulk write: row by row, so only that row is reported.
      }
      if (existing) {
        const raced = new Set(existing);
        report.created += creates.length - raced.size;
        // Created by someone else since the snapshot: an update now.
        updates.push(...creates.filter(({ row }) => raced.has(row.externalId)));
      } else {
        for (const create of creates) await this.upsert(create.row, create.fields, report, 'created');
      }
    }
    for (const update of updates) await this.upsert(update.row, update.fields, report, 'updated');
  }

  private async upsert(row: GoodRow, fields: CustomerFields, report: ImportReport, counter: 'created' | 'updated'): Promise<void> {
    try {
      await this.customers.upsertByExternalId(row.externalId, fields, this.now());
      report[counter]++;
    } catch (error) {
      const reasons = error instanceof AppError && Array.isArray(error.details?.problems)
        ? (error.details.problems as string[]).map((p) => `invalid ${p}`)
        : [`not saved: ${(error as Error).message}`];
      report.errors.push({ line: row.line, externalId: row.externalId, reasons });
    }
  }
}

/** The fields an import sets, as stored (dates are not among them). */
const COMPARED = ['name', 'company', 'phone', 'email', 'language', 'tier', 'relationshipManager', 'tags', 'consent', 'timeZone'] as const;
function comparable(c: Customer): Record<string, unknown> {
  return comparableFields(c as CustomerFields);
}
function comparableFields(fields: CustomerFields): Record<string, unknown> {
  return Object.fromEntries(COMPARED.filter((k) => fields[k] !== undefined).map((k) => [k, fields[k]]));
}

/** True when every field the row sets already has that value. */
function unchanged(stored: Partial<Customer>, fields: CustomerFields): boolean {
  return Object.entries(fields).every(([key, value]) => isDeepStrictEqual((stored as unknown as Record<string, unknown>)[key], value));
}

/** A row's fields, or every reason it is refused. */
function parseRow(record: Record<string, string>, line: number, firstLineOf: Map<string, number>): GoodRow | ImportRowError {
  const cell = (name: string) => (record[name] ?? '').normalize('NFC').trim();
  const reasons: string[] = [];
  const externalId = cell('external_id');
  if (!externalId) reasons.push('missing external_id');
  else if (externalId.length > MAX_EXTERNAL_ID) reasons.push(`external_id longer than ${MAX_EXTERNAL_ID} characters`);
  else if (firstLineOf.has(externalId)) reasons.push(`duplicate external_id ${externalId} (first on line ${firstLineOf.get(externalId)})`);

  const fields: CustomerFields = {};
  const consent: GoodRow['consent'] = {};
  if (cell('company')) fields.company = cell('company');
  if (cell('contact_name')) fields.name = cell('contact_name');
  if (cell('relationship_manager')) fields.relationshipManager = cell('relationship_manager');
  if (cell('phone')) {
    const phone = normalizePhone(cell('phone'));
    if (phone) fields.phone = phone; else reasons.push(`bad phone "${cell('phone')}"`);
  }
  if (cell('email')) {
    const email = cell('email').toLowerCase();
    if (EMAIL.test(email) && email.length <= 254) fields.email = email; else reasons.push(`bad email "${cell('email')}"`);
  }
  if (cell('language')) {
    const language = LANGUAGES[cell('language').toLowerCase()];
    if (language) fields.language = language; else reasons.push(`bad language "${cell('language')}" (zh-CN or en)`);
  }
  if (cell('tier')) {
    const tier = TIERS[cell('tier').toLowerCase()];
    if (tier) fields.tier = tier; else reasons.push(`unknown tier "${cell('tier')}" (standard, priority or premier)`);
  }
  if (cell('tags')) fields.tags = [...new Set(cell('tags').split(/[;；，、]/).map((t) => t.trim()).filter(Boolean))];
  for (const [column, key] of [['consent_surveys', 'surveys'], ['consent_marketing', 'marketing']] as const) {
    const value = cell(column).toLowerCase();
    if (!value) continue;
    if (YES.has(value)) consent[key] = true;
    else if (NO.has(value)) consent[key] = false;
    else reasons.push(`bad ${column} "${cell(column)}" (yes/no)`);
  }
  if (cell('time_zone')) {
    if (isTimeZone(cell('time_zone'))) fields.timeZone = cell('time_zone'); else reasons.push(`bad time_zone "${cell('time_zone')}" (an IANA zone such as Asia/Shanghai)`);
  }
  if (!reasons.length) {
    // The same rules every store applies (lengths, tag counts), reported per row instead of failing a write.
    try {
      validateCustomerFields(fields);
    } catch (error) {
      const problems = (error as AppError).details?.problems;
      reasons.push(...(Array.isArray(problems) ? problems.map((p) => `invalid ${p}`) : [(error as Error).message]));
    }
  }
  if (externalId && !firstLineOf.has(externalId)) firstLineOf.set(externalId, line);
  if (reasons.length) return { line, ...(externalId ? { externalId } : {}), reasons };
  return { line, externalId, fields, consent };
}
