import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { Readable } from 'node:stream';
import { EmbeddedCustomerRepository } from '../../models/customers/embeddedCustomerRepository';
import { MongoCustomerRepository } from '../../models/customers/mongoCustomerRepository';
import type { CustomerRepository } from '../../services/customers/customerRepository';
import { CustomerImporter, ImportFileError } from '../../services/customers/customerImport';
import { mongoUri } from '../support/services';
import { mongoConnections, storeFactories } from '../support/storeFactories';

const FIXTURES = path.resolve(__dirname, '../fixtures/customers');
const ROOT = path.resolve(__dirname, '../..');
const connectMongo = mongoConnections();
const factories = storeFactories<CustomerRepository>(
  (database) => new EmbeddedCustomerRepository(database),
  (connection) => new MongoCustomerRepository(connection),
);

const fixture = (name: string) => fs.createReadStream(path.join(FIXTURES, name));
const text = (csv: string) => Readable.from([Buffer.from(csv, 'utf8')]);
const t0 = new Date('2026-11-30T02:00:00Z');
const t1 = new Date('2026-11-30T03:00:00Z');

describe.each(factories)('CustomerImporter (%s)', (_name, create) => {
  test('When the sample file is imported, then every row becomes a customer with normalised phone, language, tier, tags and consent', async () => {
    const repo = await create();
    const report = await new CustomerImporter(repo, { now: () => t0 }).importStream(fixture('sample.csv'));
    expect(report).toEqual({ created: 4, updated: 0, unchanged: 0, errors: [] });
    const [wang] = await repo.findByExternalIds(['CRM-1001']);
    expect(wang).toMatchObject({
      company: '杭州明远机械有限公司', name: '王芳', phone: '+8613812345678', email: 'wang.fang@mingyuan.example.cn', language: 'zh-CN',
      tier: 'premier', relationshipManager: 'rm-zhang', tags: ['出口', '设备贷款'], consent: { surveys: true, marketing: false }, timeZone: 'Asia/Shanghai', createdAt: t0,
    });
    const [chen] = await repo.findByExternalIds(['CRM-1003']);
    expect(chen).toMatchObject({ company: '深圳市华南电子有限公司\n（南山分公司）', phone: '+867552345678', language: 'zh-CN', tier: 'premier', consent: { surveys: true, marketing: false } });
    expect(chen.email).toBeUndefined();
    const [erik] = await repo.findByExternalIds(['CRM-1004']);
    expect(erik).toMatchObject({ phone: '+46812345678', language: 'en', tier: 'standard', tags: ['进口'], timeZone: 'Europe/Stockholm' });
    expect((await repo.findByPhone('021-61234567')).map((c) => c.externalId)).toEqual(['CRM-1002']);
  });

  test('When the same file is imported twice, then the second run creates and updates nothing and updatedAt stays', async () => {
    const repo = await create();
    await new CustomerImporter(repo, { now: () => t0 }).importStream(fixture('sample.csv'));
    const again = await new CustomerImporter(repo, { now: () => t1 }).importStream(fixture('sample.csv'));
    expect(again).toEqual({ created: 0, updated: 0, unchanged: 4, errors: [] });
    for (const c of await repo.findByExternalIds(['CRM-1001', 'CRM-1002', 'CRM-1003', 'CRM-1004'])) expect(c.updatedAt).toEqual(t0);
  });

  test('When the file spans several write batches, then every row is written once and a rerun finds them all unchanged', async () => {
    const repo = await create();
    const rows = Array.from({ length: 23 }, (_, i) => `B-${i},公司${i},${i % 2 ? 'premier' : 'standard'}`).join('\n');
    const importer = (at: Date) => new CustomerImporter(repo, { batchSize: 5, now: () => at });
    expect(await importer(t0).importStream(text(`external_id,company,tier\n${rows}\n`))).toEqual({ created: 23, updated: 0, unchanged: 0, errors: [] });
    expect(await importer(t1).importStream(text(`external_id,company,tier\n${rows}\nB-99,新公司,priority\n`))).toEqual({ created: 1, updated: 0, unchanged: 23, errors: [] });
    expect(await repo.countMatching({ tiers: ['premier'] })).toBe(11);
  });

  test('When a row changes, then only that customer is updated and the fields the file leaves empty keep their values', async () => {
    const repo = await create();
    await new CustomerImporter(repo, { now: () => t0 }).importStream(fixture('sample.csv'));
    const report = await new CustomerImporter(repo, { now: () => t1 }).importStream(text('external_id,tier,consent_marketing,email\nCRM-1001,priority,,\nCRM-1002,,yes,\n'));
    expect(report).toEqual({ created: 0, updated: 1, unchanged: 1, errors: [] });
    const [wang] = await repo.findByExternalIds(['CRM-1001']);
    expect(wang).toMatchObject({ tier: 'priority', email: 'wang.fang@mingyuan.example.cn', consent: { surveys: true, marketing: false }, updatedAt: t1 });
  });

  test('When rows are bad, then each is reported with the line it starts on and every reason, and the good rows are imported', async () => {
    const repo = await create();
    const report = await new CustomerImporter(repo, { now: () => t0 }).importStream(fixture('with-errors.csv'));
    expect(report.created).toBe(2);
    expect(report.errors.map((e) => [e.line, e.externalId])).toEqual([[3, undefined], [4, 'CRM-2003'], [5, 'CRM-2004'], [7, 'CRM-2001']]);
    const reasons = Object.fromEntries(report.errors.map((e) => [e.line, e.reasons.join(' | ')]));
    expect(reasons[3]).toMatch(/missing external_id/);
    expect(reasons[4]).toMatch(/bad phone "12345"/);
    expect(reasons[5]).toMatch(/bad email.*bad language "fr".*unknown tier "gold".*bad consent_surveys "maybe"/);
    expect(reasons[7]).toMatch(/duplicate external_id CRM-2001 \(first on line 2\)/);
    expect((await repo.findByExternalIds(['CRM-2001', 'CRM-2006'])).map((c) => [c.externalId, c.tier, c.language, c.phone]).sort()).toEqual([
      ['CRM-2001', 'priority', 'zh-CN', '+8613900001111'], ['CRM-2006', 'premier', 'en', '+16502530000'],
    ]);
  });

  test('When the file has a BOM, Windows line endings, quoted newlines and an upper-case header, then lines are still physical', async () => {
    const repo = await create();
    const csv = '\ufeffEXTERNAL_ID,Company,Tier\r\nW-1,"两行\r\n公司",standard\r\n\r\nW-2,"三\r\n行\r\n公司",gold\r\nW-3,ok,premier\r\n,missing,standard\r\n';
    const report = await new CustomerImporter(repo).importStream(text(csv));
    expect(report.created).toBe(2);
    expect(report.errors.map((e) => [e.line, e.externalId ?? null, e.reasons[0].slice(0, 12)])).toEqual([[5, 'W-2', 'unknown tier'], [9, null, 'missing exte']]);
    expect((await repo.findByExternalIds(['W-1']))[0].company).toBe('两行\r\n公司');
  });

  test('When the file has no external_id column or is empty, then nothing is imported and the file is refused', async () => {
    const repo = await create();
    await expect(new CustomerImporter(repo).importStream(text('company,phone\n某公司,13800000000\n'))).rejects.toBeInstanceOf(ImportFileError);
    await expect(new CustomerImporter(repo).importStream(text(''))).rejects.toThrow(/empty/);
    expect(await repo.countMatching({})).toBe(0);
  });

  test('When the stream fails while reading, then the import is refused as unreadable', async () => {
    const repo = await create();
    const failing = new Readable({ read() { this.destroy(new Error('disk gone')); } });
    await expect(new CustomerImporter(repo).importStream(failing)).rejects.toThrow(/disk gone/);
  });
});

describe('customers:import CLI', () => {
  const run = (args: string[], env: Record<string, string>) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(ROOT, 'scripts/customersImport.ts'), ...args], {
      cwd: ROOT, env: { ...process.env, ...env }, timeout: 60000,
    }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });

  test('When the CLI imports a file into FerretDB, then it prints the summary and bad rows, exits 0, and a second run changes nothing', async () => {
    const uri = mongoUri();
    const first = await run([path.join(FIXTURES, 'with-errors.csv')], { MONGODB_URI: uri });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/created 2, updated 0, unchanged 0, rejected 4/);
    expect(first.stdout).toMatch(/line 4 \(CRM-2003\): bad phone "12345"/);
    const second = await run([path.join(FIXTURES, 'with-errors.csv')], { MONGODB_URI: uri });
    expect(second.stdout).toMatch(/created 0, updated 0, unchanged 2, rejected 4/);
    const connection = await connectMongo(uri);
    expect(await new MongoCustomerRepository(connection).countMatching({})).toBe(2);
  }, 120000);

  test('When the file cannot be read or has no id column, then the CLI exits 1 with the reason', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-import-'));
    const noId = path.join(dir, 'no-id.csv');
    fs.writeFileSync(noId, 'company\nAcme\n');
    const env = { MONGODB_URI: '', REDIS_URL: '', DATA_DIR: dir };
    const missing = await run([path.join(dir, 'nope.csv')], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read/);
    const bad = await run([noId], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/no external_id column/);
    const usage = await run([], env);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toMatch(/usage/);
  }, 120000);
});
