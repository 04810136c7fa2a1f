import path from 'node:path';
import { EmbeddedLoanApplicationRepository } from '../../models/loans/embeddedLoanApplicationRepository';
import { MongoLoanApplicationRepository } from '../../models/loans/mongoLoanApplicationRepository';
import type { LoanApplication, LoanApplicationRepository } from '../../services/loans/loanApplicationRepository';
import { LoanApplicationLookup } from '../../services/loans/loanApplicationLookup';
import { loadLoanApplicationSeed } from '../../services/loans/loanApplicationSeed';
import { repoRoot } from '../support/dialogHarness';
import { storeFactories } from '../support/storeFactories';

const factories = storeFactories<LoanApplicationRepository>(
  (database) => new EmbeddedLoanApplicationRepository(database),
  (connection) => new MongoLoanApplicationRepository(connection),
);

function application(overrides: Partial<LoanApplication> = {}): LoanApplication {
  return {
    applicationNumber: 'LA2026000999',
    company: '杭州示例科技有限公司',
    product: 'working_capital_loan',
    amount: 3_000_000,
    currency: 'CNY',
    status: 'received',
    updatedAt: new Date('2026-11-28T01:00:00Z'),
    nextStep: { 'zh-CN': '等待审核', en: 'Waiting for review' },
    customerId: 'cust-9',
    viewers: [{ channelId: 'webchat', userId: 'u-9' }],
    ...overrides,
  };
}

describe.each(factories)('LoanApplicationRepository (%s)', (_name, create) => {
  test('When an application is stored, then it is found by its number with every field intact', async () => {
    const repo = await create();
    await repo.upsert(application());
    expect(await repo.findByNumber('LA2026000999')).toEqual(application());
  });

  test('When an application without optional fields is stored, then it reads back without them', async () => {
    const repo = await create();
    const bare = application({ applicationNumber: 'LA2026000998' });
    delete bare.nextStep;
    delete bare.customerId;
    await repo.upsert(bare);
    expect(await repo.findByNumber('LA2026000998')).toEqual(bare);
  });

  test('When the same number is upserted again, then the record is replaced, not duplicated', async () => {
    const repo = await create();
    await repo.upsert(application());
    await repo.upsert(application({ status: 'approved', updatedAt: new Date('2026-11-29T01:00:00Z') }));
    const found = await repo.findByNumber('LA2026000999');
    expect(found?.status).toBe('approved');
    expect(found?.updatedAt).toEqual(new Date('2026-11-29T01:00:00Z'));
  });

  test('When ten imports upsert the same new number at once, then none fails and the number reads back with one of their values', async () => {
    const repo = await create();
    const amounts = Array.from({ length: 10 }, (_, i) => 1_000_000 + i);
    await Promise.all(amounts.map((amount) => repo.upsert(application({ applicationNumber: 'LA2026000777', amount }))));
    const found = await repo.findByNumber('LA2026000777');
    expect(amounts).toContain(found?.amount);
  });

  test('When a number is unknown, then nothing is found', async () => {
    const repo = await create();
    expect(await repo.findByNumber('LA0000000000')).toBeUndefined();
  });

  test.each([
    ['a malformed number', { applicationNumber: 'LA123' }],
    ['an unknown status', { status: 'lost' as never }],
    ['a negative amount', { amount: -1 }],
  ])('When an application has %s, then it is refused', async (_what, overrides) => {
    const repo = await create();
    await expect(repo.upsert(application(overrides))).rejects.toThrow(/Loan application/);
  });

  test('When the demo seed is loaded twice, then each application exists once and the lookup shows it only to its viewers', async () => {
    const repo = await create();
    const file = path.join(repoRoot, 'data/seed/loan-applications.json');
    expect(await loadLoanApplicationSeed(repo, file)).toBeGreaterThanOrEqual(3);
    await loadLoanApplicationSeed(repo, file);
    const lookup = new LoanApplicationLookup(repo);
    expect((await lookup.findForViewer('LA2026000101', { channelId: 'emulator', userId: 'demo-user' }))?.status).toBe('under_review');
    expect(await lookup.findForViewer('LA2026000201', { channelId: 'emulator', userId: 'demo-user' })).toBeUndefined();
    expect(await lookup.findForViewer('LA2026000101', { channelId: 'webchat', userId: 'demo-user' })).toBeUndefined();
  });
});
