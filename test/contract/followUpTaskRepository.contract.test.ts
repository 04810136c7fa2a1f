import { EmbeddedDatabase } from '../../models/embedded/embeddedDatabase';
import { EmbeddedFollowUpTaskRepository } from '../../models/followups/embeddedFollowUpTaskRepository';
import { MongoFollowUpTaskRepository } from '../../models/followups/mongoFollowUpTaskRepository';
import { EmbeddedCustomerRepository } from '../../models/customers/embeddedCustomerRepository';
import type { FollowUpTaskRepository, NewFollowUpTask } from '../../services/followups/followUpTaskRepository';
import { FollowUpService, SERVICE_DESK, poorScore } from '../../services/followups/followUpService';
import { storeFactories } from '../support/storeFactories';

const factories = storeFactories<FollowUpTaskRepository>(
  (database) => new EmbeddedFollowUpTaskRepository(database),
  (connection) => new MongoFollowUpTaskRepository(connection),
);

const t0 = new Date('2026-11-29T02:00:00Z');
const later = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const task = (fields: Partial<NewFollowUpTask> = {}): NewFollowUpTask => ({
  customerId: 'cust-1', channelId: 'webchat', userId: 'u1', assignee: 'rm-li', reason: 'detractor', score: 3, campaignId: 'camp-1', surveyId: 'service-satisfaction', ...fields,
});

describe.each(factories)('FollowUpTaskRepository (%s)', (_name, create) => {
  test('When a task is opened, then it is stored open with its fields and can be read back', async () => {
    const repo = await create();
    const { task: opened, created } = await repo.open('k1', task(), t0);
    expect(created).toBe(true);
    expect(opened).toMatchObject({ ...task(), status: 'open', createdAt: t0, updatedAt: t0 });
    expect(opened.id).toEqual(expect.any(String));
    expect(await repo.get(opened.id)).toEqual(opened);
    expect(await repo.get('missing')).toBeUndefined();
  });

  test('When ten callers open the same key at once, then exactly one task is created and all get it', async () => {
    const repo = await create();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => repo.open('same', task({ score: i }), t0)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.task.id)).size).toBe(1);
    expect(await repo.listOpen()).toHaveLength(1);
  });

  test('When a task is closed, then its key can open a new task and the old one is done', async () => {
    const repo = await create();
    const first = (await repo.open('k', task(), t0)).task;
    const closed = await repo.close(first.id, later(5));
    expect(closed).toMatchObject({ status: 'done', updatedAt: later(5) });
    const second = await repo.open('k', task({ score: 1 }), later(10));
    expect(second.created).toBe(true);
    expect(second.task.id).not.toBe(first.id);
    expect((await repo.listOpen()).map((t) => t.id)).toEqual([second.task.id]);
  });

  test('When a callback is booked, then its reference is stored on the task', async () => {
    const repo = await create();
    const opened = (await repo.open('k', task(), t0)).task;
    expect(await repo.setCallbackReference(opened.id, 'CBK-20261130-0001', later(3))).toMatchObject({ callbackReference: 'CBK-20261130-0001', updatedAt: later(3), status: 'open' });
    expect(await repo.setCallbackReference('missing', 'CBK-1', later(3))).toBeUndefined();
  });

  test('When open tasks are listed, then they come oldest first and filter by assignee', async () => {
    const repo = await create();
    const b = (await repo.open('b', task({ assignee: SERVICE_DESK }), later(2))).task;
    const a = (await repo.open('a', task({ assignee: 'rm-li' }), later(1))).task;
    const c = (await repo.open('c', task({ assignee: 'rm-li' }), later(3))).task;
    await repo.close(c.id, later(4));
    expect((await repo.listOpen()).map((t) => t.id)).toEqual([a.id, b.id]);
    expect((await repo.listOpen('rm-li')).map((t) => t.id)).toEqual([a.id]);
    expect((await repo.listOpen(SERVICE_DESK)).map((t) => t.id)).toEqual([b.id]);
  });
});

describe('FollowUpService', () => {
  const questions = [{ id: 'overall', type: 'rating' as const }, { id: 'recommend', type: 'nps' as const }, { id: 'note', type: 'text' as const }];

  test.each([
    [{ overall: 4, recommend: 6 }, { reason: 'detractor', score: 6 }],
    [{ overall: 2, recommend: 9 }, { reason: 'low_csat', score: 2 }],
    [{ overall: 1, recommend: 0 }, { reason: 'detractor', score: 0 }],
    [{ overall: 3, recommend: 7 }, undefined],
    [{ overall: null, recommend: null, note: '1' }, undefined],
  ])('When the answers are %j, then the poor score is %j', (answers, expected) => {
    expect(poorScore(questions, answers)).toEqual(expected);
  });

  test('When a linked client with a relationship manager gives a detractor score twice, then one task is open for that manager', async () => {
    const db = new EmbeddedDatabase(null);
    const customers = new EmbeddedCustomerRepository(db);
    const customer = await customers.create({ name: 'Li', relationshipManager: 'rm-wang', channelUsers: [{ channelId: 'webchat', userId: 'u9' }] });
    const service = new FollowUpService(new EmbeddedFollowUpTaskRepository(db), customers, () => t0);
    const source = { channelId: 'webchat', userId: 'u9', surveyId: 'service-satisfaction', campaignId: 'camp-9' };
    const first = await service.openForAnswers(source, questions, { overall: 4, recommend: 3 });
    const again = await service.openForAnswers(source, questions, { overall: 4, recommend: 2 });
    expect(first).toMatchObject({ customerId: customer.id, assignee: 'rm-wang', reason: 'detractor', score: 3, campaignId: 'camp-9' });
    expect(again?.id).toBe(first?.id);
    expect(await service.listOpen('rm-wang')).toHaveLength(1);
  });

  test('When a chat user no customer is linked to gives a low CSAT, then the task goes to the service desk', async () => {
    const db = new EmbeddedDatabase(null);
    const service = new FollowUpService(new EmbeddedFollowUpTaskRepository(db), new EmbeddedCustomerRepository(db), () => t0);
    const opened = await service.openForAnswers({ channelId: 'webchat', userId: 'anon', surveyId: 'quick-csat' }, [{ id: 'ease', type: 'rating' }], { ease: 1 });
    expect(opened).toMatchObject({ assignee: SERVICE_DESK, reason: 'low_csat', score: 1, surveyId: 'quick-csat' });
    expect(opened?.customerId).toBeUndefined();
    expect(await service.openForAnswers({ channelId: 'webchat', userId: 'anon', surveyId: 'x' }, [{ id: 'ease', type: 'rating' }], { ease: 3 })).toBeUndefined();
  });
});
