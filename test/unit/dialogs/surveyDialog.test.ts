import { SurveyDialog } from '../../../dialogs/surveyDialog';
import { checkOutcome, createSurveyEnvironment, runCase, type DialogCase } from './surveyCaseRunner';

const cases: DialogCase[] = require('../../fixtures/dialogs/surveyDialog.cases.json');

describe('SurveyDialog', () => {
  test.each(cases.map((c) => [`${c.name} [${c.locale}${c.channel ? `, ${c.channel}` : ''}]`, c] as const))('%s', async (_name, c) => {
    const env = await createSurveyEnvironment();
    const run = await runCase(c, env, (e) => new SurveyDialog(e));
    await checkOutcome(c, env, run);
  });
});
