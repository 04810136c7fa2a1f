import path from 'node:path';
import { EmbeddedSurveyDefinitionRepository } from '../../models/surveys/embeddedSurveyDefinitionRepository';
import { MongoSurveyDefinitionRepository } from '../../models/surveys/mongoSurveyDefinitionRepository';
import { parseSurveyDefinition, type SurveyDefinition } from '../../services/surveys/surveyDefinition';
import { loadSurveyDefinitions, readSurveyDefinitions } from '../../services/surveys/surveyDefinitionLoader';
import type { SurveyDefinitionRepository } from '../../services/surveys/surveyDefinitionRepository';
import { storeFactories } from '../support/storeFactories';
import { repoRoot } from '../support/dialogHarness';

const surveysDir = path.join(repoRoot, 'data/surveys');
const factories = storeFactories<SurveyDefinitionRepository>(
  (database) => new EmbeddedSurveyDefinitionRepository(database),
  (connection) => new MongoSurveyDefinitionRepository(connection),
);

function sample(version: number, title = 'T'): SurveyDefinition {
  return parseSurveyDefinition({
    id: 'sample', version, title: { 'zh-CN': `标题${title}`, en: title }, intro: { 'zh-CN': '介绍', en: 'Intro' },
    questions: [{ id: 'q1', type: 'rating', required: true, text: { 'zh-CN': '满意吗？', en: 'Satisfied?' } }],
  });
}

describe.each(factories)('SurveyDefinitionRepository (%s)', (_name, create) => {
  test('When the data/surveys folder is loaded, then every survey is stored and readable by id', async () => {
    const repo = await create();
    const stored = await loadSurveyDefinitions(surveysDir, repo);
    expect(stored.sort()).toEqual(['quick-csat', 'service-satisfaction']);
    const survey = await repo.get('service-satisfaction');
    expect(survey?.questions.map((q) => q.type)).toEqual(['rating', 'nps', 'single', 'multiple', 'text']);
    expect(survey?.questions[2].choices?.[1].label.en).toBe('Relationship manager');
    expect((await repo.list()).map((s) => s.id)).toEqual(['quick-csat', 'service-satisfaction']);
    expect(await repo.get('missing')).toBeUndefined();
  });

  test('When the folder is loaded twice, then each survey is still stored once', async () => {
    const repo = await create();
    await loadSurveyDefinitions(surveysDir, repo);
    await loadSurveyDefinitions(surveysDir, repo);
    expect(await repo.list()).toHaveLength(2);
  });

  test('When a newer version is saved, then it replaces the old one; an older version never downgrades it', async () => {
    const repo = await create();
    expect(await repo.save(sample(1, 'one'))).toBe(true);
    expect(await repo.save(sample(2, 'two'))).toBe(true);
    expect(await repo.save(sample(1, 'old'))).toBe(false);
    const stored = await repo.get('sample');
    expect([stored?.version, stored?.title.en]).toEqual([2, 'two']);
  });

  test('When an invalid definition is saved, then it is refused', async () => {
    const repo = await create();
    await expect(repo.save({ ...sample(1), questions: [] })).rejects.toThrow(/Invalid survey definition/);
  });
});

describe('Survey definition validation', () => {
  const base = { id: 's', version: 1, title: { 'zh-CN': '标题', en: 'Title' }, intro: { 'zh-CN': '介绍', en: 'Intro' } };
  const q = { id: 'q', required: true, text: { 'zh-CN': '问题', en: 'Question' } };
  const cases: Array<[string, unknown, RegExp]> = [
    ['a question has no English text', { ...base, questions: [{ ...q, type: 'rating', text: { 'zh-CN': '问题' } }] }, /questions\.0\.text\.en/],
    ['a single-choice question has no choices', { ...base, questions: [{ ...q, type: 'single' }] }, /needs choices/],
    ['a rating question has choices', { ...base, questions: [{ ...q, type: 'rating', choices: [{ id: 'a', label: { 'zh-CN': 'A', en: 'A' } }, { id: 'b', label: { 'zh-CN': 'B', en: 'B' } }] }] }, /takes no choices/],
    ['a question type is unknown', { ...base, questions: [{ ...q, type: 'stars' }] }, /questions\.0\.type/],
    ['two questions share an id', { ...base, questions: [{ ...q, type: 'text' }, { ...q, type: 'nps' }] }, /duplicate question ids/],
    ['a question id contains a dot', { ...base, questions: [{ ...q, id: 'a.b', type: 'text' }] }, /questions\.0\.id/],
  ];
  test.each(cases)('When %s, then the definition is rejected naming the problem', (_what, data, problem) => {
    expect(() => parseSurveyDefinition(data, 'test.json')).toThrow(problem);
  });

  test('When the shipped folder is read, then every file is valid', async () => {
    const definitions = await readSurveyDefinitions(surveysDir);
    expect(definitions.map((d) => d.id).sort()).toEqual(['quick-csat', 'service-satisfaction']);
  });
});
