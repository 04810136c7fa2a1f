import { ConversationState, MemoryStorage } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { SurveyDialog } from '../../../dialogs/surveyDialog';
import { EmbeddedDatabase } from '../../../models/embedded/embeddedDatabase';
import { EmbeddedCustomerRepository } from '../../../models/customers/embeddedCustomerRepository';
import { languageMiddleware } from '../../support/dialogHarness';
import { checkOutcome, createSurveyEnvironment, renderReply, runCase, type DialogCase } from './surveyCaseRunner';

const cases: DialogCase[] = require('../../fixtures/dialogs/surveyDialog.cases.json');

describe('SurveyDialog', () => {
  test.each(cases.map((c) => [`${c.name} [${c.locale}${c.channel ? `, ${c.channel}` : ''}]`, c] as const))('%s', async (_name, c) => {
    const env = await createSurveyEnvironment();
    const run = await runCase(c, env, (e) => new SurveyDialog(e));
    await checkOutcome(c, env, run);
  });
});

describe('SurveyDialog for a known customer', () => {
  test('When a linked customer starts on one channel and comes back on another, then one response keyed by the customer id resumes', async () => {
    const env = await createSurveyEnvironment();
    const customers = new EmbeddedCustomerRepository(new EmbeddedDatabase(null));
    const customer = await customers.upsertByExternalId('CRM-7', { name: '王芳', company: '杭州明远机械有限公司' });
    await customers.linkChannelUser(customer.id, { channelId: 'msteams', userId: 'user1' });
    await customers.linkChannelUser(customer.id, { channelId: 'test', userId: 'user1' });
    const dialog = new SurveyDialog({ ...env, customers });
    const say = async (client: DialogTestClient, text: string) => {
      const replies: string[] = [];
      let reply = await client.sendActivity({ type: 'message', text, locale: 'zh-CN' });
      while (reply) { replies.push(renderReply(reply)); reply = client.getNextReply(); }
      return replies.join('\n');
    };

    const teams = new DialogTestClient('msteams', dialog, { surveyId: 'service-satisfaction' }, [languageMiddleware()], new ConversationState(new MemoryStorage()));
    expect(await say(teams, '开始')).toContain('[card]');
    await teams.sendActivity({ type: 'message', locale: 'zh-CN', value: { answer: '4', rapportSurvey: { surveyId: 'service-satisfaction', questionId: 'overall' } } });

    const test = new DialogTestClient('test', dialog, { surveyId: 'service-satisfaction' }, [languageMiddleware()], new ConversationState(new MemoryStorage()));
    const back = await say(test, '你好');
    expect(back).toContain('欢迎回来');
    expect(back).toContain('第 2/5 题');

    const responses = await env.responses.listBySurvey('service-satisfaction');
    expect(responses.map((r) => [r.respondentKey, r.answers])).toEqual([[customer.id, { overall: 4 }]]);
  });
});
