import path from 'node:path';
import { AnswerParser } from '../../../services/surveys/answerParser';
import { parseSurveyDefinition } from '../../../services/surveys/surveyDefinition';
import { repoRoot } from '../../support/dialogHarness';

interface Case {
  name: string;
  question: string;
  input: string;
  expect: number | string | string[] | { invalid: string; min?: number; max?: number; unknown?: string };
}

const survey = parseSurveyDefinition(require(path.join(repoRoot, 'data/surveys/service-satisfaction.json')));
const parser = new AnswerParser(require(path.join(repoRoot, 'data/surveyVocabulary.json')));
const cases: Case[] = require('../../fixtures/surveys/answerParser.cases.json');

describe('AnswerParser', () => {
  test.each(cases.map((c) => [c.name, c] as const))('When the answer is %s, then it parses as expected', (_name, c) => {
    const question = survey.questions.find((q) => q.id === c.question)!;
    const parsed = parser.parse(question, c.input);
    if (typeof c.expect === 'object' && !Array.isArray(c.expect)) {
      const { invalid, ...details } = c.expect;
      expect(parsed).toMatchObject({ ok: false, reason: invalid, ...details });
    } else {
      expect(parsed).toEqual({ ok: true, value: c.expect });
    }
  });

  test('When the client types skip or decline words, then they are recognised in both languages and nothing else is', () => {
    expect(['skip', '跳过', 'Skip!'].map((t) => parser.isSkip(t))).toEqual([true, true, true]);
    expect(['no thanks', '不用了', 'No, thank you'].map((t) => parser.isDecline(t))).toEqual([true, true, true]);
    expect([parser.isSkip('5'), parser.isDecline('5'), parser.isSkip(undefined)]).toEqual([false, false, false]);
  });

  test('When a card submits a number or a list of ids, then it parses like the typed answer', () => {
    const [overall, , , improve] = survey.questions;
    expect(parser.parse(overall, 4)).toEqual({ ok: true, value: 4 });
    expect(parser.parse(improve, ['digital', 'speed'])).toEqual({ ok: true, value: ['speed', 'digital'] });
    expect(parser.parse(improve, null)).toEqual({ ok: false, reason: 'empty' });
  });
});
