import { EmbeddedSurveyResponseRepository } from '../../models/surveys/embeddedSurveyResponseRepository';
import { MongoSurveyResponseRepository } from '../../models/surveys/mongoSurveyResponseRepository';
import { respondentKeyFor, type SurveyResponseRepository } from '../../services/surveys/surveyResponseRepository';
import { storeFactories } from '../support/storeFactories';

const factories = storeFactories<SurveyResponseRepository>(
  (database) => new EmbeddedSurveyResponseRepository(database),
  (connection) => new MongoSurveyResponseRepository(connection),
);

const t0 = new Date('2026-11-30T02:00:00Z');
const t1 = new Date('2026-11-30T02:01:00Z');
const t2 = new Date('2026-11-30T02:02:00Z');

describe.each(factories)('SurveyResponseRepository (%s)', (_name, create) => {
  test('When the first answer is saved, then a response in progress holds it with its meta and timestamps', async () => {
    const repo = await create();
    await repo.saveAnswer('svc', 'webchat:u1', 'overall', 5, { channelId: 'webchat', language: 'zh-CN' }, t0);
    const response = await repo.get('svc', 'webchat:u1');
    expect(response).toEqual({
      surveyId: 'svc', respondentKey: 'webchat:u1', answers: { overall: 5 }, status: 'in_progress',
      meta: { channelId: 'webchat', language: 'zh-CN' }, createdAt: t0, updatedAt: t0,
    });
  });

  test('When answers of every type are saved one by one, then get returns them all so the survey can resume', async () => {
    const repo = await create();
    await repo.saveAnswer('svc', 'k', 'overall', 4, {}, t0);
    await repo.saveAnswer('svc', 'k', 'recommend', 0, {}, t1);
    await repo.saveAnswer('svc', 'k', 'channel', 'rm', {}, t1);
    await repo.saveAnswer('svc', 'k', 'improve', ['speed', 'fees'], {}, t1);
    await repo.saveAnswer('svc', 'k', 'comments', null, {}, t2);
    const response = await repo.get('svc', 'k');
    expect(response?.answers).toEqual({ overall: 4, recommend: 0, channel: 'rm', improve: ['speed', 'fees'], comments: null });
    expect(response?.createdAt).toEqual(t0);
    expect(response?.updatedAt).toEqual(t2);
  });

  test('When a question is answered again, then the answer is updated and there is still one response', async () => {
    const repo = await create();
    await repo.saveAnswer('svc', 'k', 'overall', 2, { reference: 'CMP-20261130-ABCD' }, t0);
    await repo.saveAnswer('svc', 'k', 'overall', 5, { reference: 'CBK-20261130-WXYZ' }, t1);
    const all = await repo.listBySurvey('svc');
    expect(all).toHaveLength(1);
    expect(all[0].answers).toEqual({ overall: 5 });
    expect(all[0].meta).toEqual({ reference: 'CBK-20261130-WXYZ' });
  });

  test('When 20 answers for the same respondent are saved at once, then one response holds all 20 answers', async () => {
    const repo = await create();
    const ids = Array.from({ length: 20 }, (_, i) => `q${i}`);
    await Promise.all(ids.map((id, i) => repo.saveAnswer('race', 'teams:u9', id, i % 5 + 1, { channelId: 'msteams' }, t0)));
    const all = await repo.listBySurvey('race');
    expect(all).toHaveLength(1);
    expect(Object.keys(all[0].answers).sort()).toEqual([...ids].sort());
    expect(all[0].answers.q7).toBe(3);
  });

  test('When two respondents or two surveys are involved, then their responses are kept apart', async () => {
    const repo = await create();
    await repo.saveAnswer('svc', 'a', 'overall', 1, {}, t0);
    await repo.saveAnswer('svc', 'b', 'overall', 5, {}, t1);
    await repo.saveAnswer('quick-csat', 'a', 'ease', 3, {}, t1);
    expect((await repo.get('svc', 'a'))?.answers).toEqual({ overall: 1 });
    expect((await repo.get('svc', 'b'))?.answers).toEqual({ overall: 5 });
    expect((await repo.get('quick-csat', 'a'))?.answers).toEqual({ ease: 3 });
    expect((await repo.listBySurvey('svc')).map((r) => r.respondentKey)).toEqual(['a', 'b']);
    expect(await repo.get('svc', 'nobody')).toBeUndefined();
  });

  test('When a response is completed, then it is marked completed with the time; completing an unknown one reports false', async () => {
    const repo = await create();
    await repo.saveAnswer('svc', 'k', 'overall', 4, {}, t0);
    expect(await repo.complete('svc', 'k', t2)).toBe(true);
    const response = await repo.get('svc', 'k');
    expect(response?.status).toBe('completed');
    expect(response?.completedAt).toEqual(t2);
    expect(await repo.complete('svc', 'unknown', t2)).toBe(false);
  });

  test('When a question id could address another field, then saving it is refused', async () => {
    const repo = await create();
    await expect(repo.saveAnswer('svc', 'k', 'a.b', 1)).rejects.toThrow(/Unsafe question id/);
    await expect(repo.saveAnswer('svc', 'k', '$where', 1)).rejects.toThrow(/Unsafe question id/);
  });
});

describe('respondentKeyFor', () => {
  test('When the customer is known, then the key is the customer id; otherwise channel:user', () => {
    expect(respondentKeyFor('webchat', 'u1', 'cust-1')).toBe('cust-1');
    expect(respondentKeyFor('webchat', 'u1')).toBe('webchat:u1');
  });
});
