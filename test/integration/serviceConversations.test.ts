/**
 * Whole conversations over HTTP against the server on real Redis and the Mongo-wire server:
 * a complaint, a callback booked, listed, moved and cancelled, a survey answered — in both
 * languages — and a restart of the bot in the middle of a complaint.
 */
import { startApp, messageActivity, send, type RunningApp } from '../support/appHarness';
import { mongoUri, uniquePrefix } from '../support/services';

type Say = (text: string) => Promise<string>;

function conversation(running: () => RunningApp, id: string, locale: string): Say {
  return async (text) => {
    const { status, replies } = await send(running().baseUrl, messageActivity(id, text, { locale }));
    expect(status).toBe(200);
    return replies.map((r) => r.text ?? '').join('\n');
  };
}

describe('Service conversations over HTTP on Redis and Mongo', () => {
  let running: RunningApp;
  beforeAll(async () => { running = await startApp({ storage: 'services' }); });
  afterAll(async () => { await running.stop(); });

  test('When a Chinese client files a complaint, then a CMP reference and due time are given and the ticket is in Mongo', async () => {
    const say = conversation(() => running, `cmp-zh-${Date.now()}`, 'zh-CN');
    expect(await say('我要投诉')).toContain('投诉哪一类');
    expect(await say('收费问题')).toContain('描述');
    expect(await say('太差')).toMatch(/至少|10/);
    expect(await say('上个月被多收了账户管理费，一直没有人解释')).toContain('紧急程度');
    expect(await say('高')).toContain('联系');
    expect(await say('12345')).toMatch(/手机号|号码/);
    expect(await say('13812345678')).toContain('请确认');
    const filed = await say('确认提交');
    const reference = /CMP-\d{8}-[A-Z2-9]{4}/.exec(filed)?.[0];
    expect(reference).toBeDefined();
    const stored = await (running.app.parts.mongo as any).collection('tickets').findOne({ reference });
    expect(stored).toMatchObject({ reference, status: 'open', severity: 'high', category: expect.any(String) });
  });

  test('When an English client books, lists, moves and cancels a callback, then each step answers with the CBK reference', async () => {
    const say = conversation(() => running, `cbk-en-${Date.now()}`, 'en');
    expect(await say('I would like to book a callback')).toMatch(/call you about/i);
    expect(await say('Repayment')).toMatch(/When should we call/i);
    expect(await say('25:00')).toMatch(/time|valid/i);
    const afterTime = await say('next Tuesday 10:00');
    expect(afterTime).toMatch(/phone number/i);
    expect(await say('12345')).toMatch(/number/i);
    expect(await say('+86 138 1234 5678')).toMatch(/Shall I book it/i);
    const booked = await say('yes');
    const reference = /CBK-\d{8}-[A-Z2-9]{4}/.exec(booked)?.[0];
    expect(reference).toBeDefined();
    await say('no thanks');
    expect(await say('which callbacks have I booked?')).toContain(reference!);
    const move = await say(`reschedule my callback ${reference}`);
    expect(move).toMatch(/new time|When/i);
    expect(await say('next Wednesday 11:00')).toMatch(/Wed/);
    const cancel = await say(`cancel callback ${reference}`);
    expect(cancel).toContain(reference!);
    expect(await say('yes')).toMatch(/cancelled/i);
  });

  test('When a client answers the satisfaction survey in Chinese, then each answer is saved as given', async () => {
    const id = `survey-zh-${Date.now()}`;
    const say = conversation(() => running, id, 'zh-CN');
    await say('我想评价一下你们的服务');
    await say('五');
    const responses = running.app.parts.surveyResponses as { get(surveyId: string, key: string): Promise<any> };
    const saved = await responses.get('service-satisfaction', `emulator:user-${id}`);
    expect(Object.values(saved?.answers ?? {})).toContain(5);
  });
});

describe('Restart in the middle of a complaint', () => {
  test('When the bot process restarts mid-complaint, then the dialog resumes at the same step', async () => {
    const env = { REDIS_KEY_PREFIX: uniquePrefix('restart'), MONGODB_URI: mongoUri() };
    const id = `restart-${Date.now()}`;
    let running = await startApp({ storage: 'services', env });
    const say = conversation(() => running, id, 'zh-CN');
    await say('我要投诉');
    expect(await say('员工行为')).toContain('描述');
    await running.stop();
    running = await startApp({ storage: 'services', env });
    try {
      expect(await say('客户经理多次不回电话，也不解释原因')).toContain('紧急程度');
    } finally {
      await running.stop();
    }
  });
});

describe('A critical complaint with staff on duty', () => {
  test('When a client files a critical complaint, then they are queued for a person and told their place and wait', async () => {
    const running = await startApp({ storage: 'services', env: { HANDOFF_STAFF_HOURS: 'always' } });
    try {
      const say = conversation(() => running, `critical-${Date.now()}`, 'en');
      await say('I want to file a complaint');
      await say('Fees and charges');
      await say('The same transfer fee was taken twice from our account this morning');
      await say('critical');
      await say('+86 138 1234 5678');
      const filed = await say('Confirm');
      expect(filed).toMatch(/CMP-\d{8}-[A-Z2-9]{4}/);
      expect(filed).toMatch(/asked for a person/);
      expect(filed).toMatch(/queue|number \d+/i);
    } finally {
      await running.stop();
    }
  });
});
