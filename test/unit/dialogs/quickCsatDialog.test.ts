import { QuickCsatDialog } from '../../../dialogs/quickCsatDialog';
import { checkOutcome, createSurveyEnvironment, runCase, type DialogCase } from './surveyCaseRunner';

const cases: DialogCase[] = require('../../fixtures/dialogs/quickCsatDialog.cases.json');

describe('QuickCsatDialog', () => {
  test.each(cases.map((c) => [`${c.name} [${c.locale}${c.channel ? `, ${c.channel}` : ''}]`, c] as const))('%s', async (_name, c) => {
    const env = await createSurveyEnvironment();
    const run = await runCase(c, env, (e) => new QuickCsatDialog(e));
    await checkOutcome(c, env, run);
  });
});
