import path from 'node:path';
import { Localizer, type Language } from '../../../services/i18n/localizer';
import { HANDOFF_TAKE_VERB, PREVIEW_MAX_CHARS, readTakeData, staffCaseCard, type StaffCaseCardInput } from '../../../bot/staffTeams/staffCaseCard';

const localizer = new Localizer(path.resolve(__dirname, '../../../locales'));
const ZONE = 'Asia/Shanghai';
const queuedAt = new Date('2026-11-29T02:30:00Z'); // 10:30 in Shanghai

const handoffCase: StaffCaseCardInput['handoffCase'] = {
  caseId: 'case-1', language: 'en', reason: 'critical_complaint', priority: 87, queuedAt,
  detail: 'CMP-20261129-4F7Q card 6222 0212 3456 7890 123 and ID 110105199003074512 were charged twice',
};

const card = (language: Language, input: Partial<StaffCaseCardInput> = {}) => staffCaseCard(localizer, language, ZONE, { handoffCase, ...input }) as any;
const texts = (c: any): string => JSON.stringify(c.body);
const facts = (c: any): Record<string, string> => Object.fromEntries(c.body.find((b: any) => b.type === 'FactSet').facts.map((f: any) => [f.title, f.value]));

describe('Staff Teams case card', () => {
  test('When a case is posted in Chinese, then the card (1.4) shows language, reason, priority, queue time and wait in Chinese, with one Take button carrying the case id', () => {
    const c = card('zh-CN', { estimatedWaitMinutes: 6 });
    expect(c).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(c.body[0].text).toBe('新的转人工请求');
    expect(facts(c)).toEqual({ 客户语言: '英文', 原因: '严重投诉', 优先级: '87', 排队时间: '10:30', 预计等待: '约 6 分钟' });
    expect(c.actions).toEqual([{ type: 'Action.Execute', title: '接入', verb: HANDOFF_TAKE_VERB, data: { caseId: 'case-1' } }]);
    expect(readTakeData(c.actions[0].data)).toBe('case-1');
  });

  test('When a case is posted in English, then every label is English and the wait is left out when unknown', () => {
    const c = card('en', { handoffCase: { ...handoffCase, language: 'zh-CN', reason: 'client_request' } });
    expect(c.body[0].text).toBe('New client waiting for a person');
    expect(facts(c)).toEqual({ 'Client language': 'Chinese', Reason: 'asked for a person', Priority: '87', 'Queued at': '10:30' });
    expect(c.actions[0].title).toBe('Take');
    expect(texts(c)).not.toMatch(/[\u4e00-\u9fff]/);
  });

  test('When the case has a preview with a card and an ID number, then only their last four digits show, and the preview is cut short', () => {
    const c = card('en');
    const preview = c.body.find((b: any) => typeof b.text === 'string' && b.text.startsWith('Preview: ')).text as string;
    expect(preview).toContain('CMP-20261129-4F7Q');
    expect(preview).toContain('card **** **** **** ***0 123 and ID **************4512 ');
    expect(preview).not.toMatch(/6222|0212|3456|1101051990/);
    expect(preview.length).toBeLessThanOrEqual('Preview: '.length + PREVIEW_MAX_CHARS);
    expect(preview.endsWith('…')).toBe(true);
    expect(texts(card('en', { handoffCase: { ...handoffCase, detail: undefined } }))).not.toContain('Preview');
  });

  test.each([
    ['zh-CN', { kind: 'taken', by: '李敏', at: new Date('2026-11-29T02:32:00Z') }, '已由李敏于 10:32 接入', false],
    ['en', { kind: 'taken', by: '李敏', at: new Date('2026-11-29T02:32:00Z') }, 'Taken by 李敏 at 10:32', false],
    ['zh-CN', { kind: 'alreadyTaken', by: '张伟' }, '已被张伟接入', false],
    ['en', { kind: 'alreadyTaken', by: '张伟' }, 'Already taken by 张伟', false],
    ['zh-CN', { kind: 'notAgent' }, '您不是 Rapport 登记的客服人员，无法接入。', true],
    ['en', { kind: 'notAgent' }, 'You are not a registered agent in Rapport.', true],
    ['en', { kind: 'leftQueue', at: new Date('2026-11-29T02:40:00Z') }, 'The client left the queue at 10:40', false],
  ] as const)('When the outcome in %s is %j, then the card says "%s" (Take button kept: %s)', (language, outcome, status, open) => {
    const c = card(language, { outcome });
    expect(c.body[c.body.length - 1].text).toBe(status);
    expect(c.actions ?? []).toHaveLength(open ? 1 : 0);
    expect(facts(c)).toHaveProperty(language === 'en' ? 'Priority' : '优先级', '87');
  });

  test.each([undefined, {}, { caseId: '' }, { caseId: 42 }, { caseId: 'x'.repeat(101) }])('When a Take click carries %j, then no case id is read', (data) => {
    expect(readTakeData(data)).toBeUndefined();
  });
});
