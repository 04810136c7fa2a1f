import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { INQUIRY_INTENTS, KnowledgeBase } from '../../../services/knowledge/knowledgeBase';
import { repoRoot } from '../../support/dialogHarness';

const kbDir = path.join(repoRoot, 'data/kb');
const kb = new KnowledgeBase({ directory: kbDir });

describe('Knowledge base content', () => {
  test('When the articles are loaded, then there are at least 28 with unique ids', () => {
    const ids = kb.all().map((a) => a.id);
    expect(ids.length).toBeGreaterThanOrEqual(28);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('When any article is read, then its title, answer and keywords exist in both languages', () => {
    for (const article of kb.all()) {
      for (const language of ['zh-CN', 'en'] as const) {
        expect([article.id, article.title[language].trim().length > 0]).toEqual([article.id, true]);
        expect([article.id, article.answer[language].trim().length > 20]).toEqual([article.id, true]);
        expect([article.id, article.keywords[language].length > 0]).toEqual([article.id, true]);
      }
    }
  });

  test('When the Chinese answer is read, then it is written in Chinese, and the English one in English', () => {
    for (const article of kb.all()) {
      expect([article.id, /\p{Script=Han}/u.test(article.answer['zh-CN'])]).toEqual([article.id, true]);
      expect([article.id, /\p{Script=Han}/u.test(article.answer.en)]).toEqual([article.id, false]);
    }
  });

  test.each([...INQUIRY_INTENTS])('When the intent %s is recognised, then exactly one primary article answers it', (intent) => {
    const primaries = kb.all().filter((a) => a.primaryFor === intent);
    expect(primaries).toHaveLength(1);
    expect(kb.articleForIntent(intent)?.id).toBe(primaries[0].id);
    expect(primaries[0].intent).toBe(intent);
  });

  test('When an answer is read, then it states no percentage (rates are never invented; answers say where they are published)', () => {
    for (const article of kb.all()) {
      for (const language of ['zh-CN', 'en'] as const) {
        expect([article.id, language, /\d\s*[%％]|百分之/.test(article.answer[language])]).toEqual([article.id, language, false]);
      }
    }
  });

  test('When the rates article is read, then it says where the LPR and the bank’s rates are published', () => {
    const rates = kb.articleForIntent('inquiry_rates')!;
    expect(rates.answer['zh-CN']).toMatch(/全国银行间同业拆借中心/);
    expect(rates.answer['zh-CN']).toMatch(/利率公告/);
    expect(rates.answer.en).toMatch(/National Interbank Funding Center/);
    expect(rates.answer.en).toMatch(/rate announcements/);
  });

  test('When every article is checked, then its intent (if any) is one of the inquiry intents', () => {
    for (const article of kb.all().filter((a) => a.intent)) expect(INQUIRY_INTENTS).toContain(article.intent);
  });
});

describe('Knowledge base answers for an intent', () => {
  test.each([
    ['inquiry_project_financing', '项目融资需要多长时间', 'zh-CN', 'project-financing-timeline'],
    ['inquiry_project_financing', '项目融资要准备哪些材料', 'zh-CN', 'project-financing-documents'],
    ['inquiry_project_financing', 'what is project financing', 'en', 'project-financing-overview'],
    ['inquiry_repayment', 'can I repay the loan early', 'en', 'early-repayment'],
    ['inquiry_repayment', '还款逾期了怎么办', 'zh-CN', 'overdue-repayment'],
    ['inquiry_loans', '你好', 'zh-CN', 'working-capital-loan'],
    ['inquiry_rates', 'tell me more please', 'en', 'interest-rates'],
    ['inquiry_documents', 'what documents do I need for a loan application', 'en', 'loan-application-documents'],
  ] as const)('When the intent is %s and the client asked "%s", then the answer is the intent’s closest article', (intent, question, language, expected) => {
    expect(kb.answerForIntent(intent, question, language)?.id).toBe(expected);
  });

  test.each([
    ['inquiry_documents', 'what documents do I need to open a company account', 'en', 'account-opening'],
    ['inquiry_rates', 'how to open an account', 'en', 'account-opening'],
  ] as const)('When the intent is %s but "%s" points overwhelmingly to another topic, then that topic’s article answers', (intent, question, language, expected) => {
    expect(kb.answerForIntent(intent, question, language)?.id).toBe(expected);
  });

  test('When the intent has no article, then there is no answer', () => {
    expect(kb.answerForIntent('complaint_file', 'I want to complain', 'en')).toBeUndefined();
  });
});

describe('Knowledge base loading', () => {
  function folderWith(content: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kb-'));
    fs.writeFileSync(path.join(dir, 'a.yaml'), content);
    return dir;
  }

  test('When an article lacks its English answer, then loading fails and names the article', () => {
    const dir = folderWith('- id: x\n  title: {zh-CN: 标题, en: Title}\n  answer: {zh-CN: 回答}\n  keywords: {zh-CN: [], en: []}\n');
    expect(() => new KnowledgeBase({ directory: dir })).toThrow(/article x: answer\.en is missing/);
  });

  test('When two articles share an id, then loading fails', () => {
    const one = '- id: x\n  title: {zh-CN: 标题, en: Title}\n  answer: {zh-CN: 回答, en: Answer}\n  keywords: {zh-CN: [], en: []}\n';
    const dir = folderWith(one + one);
    expect(() => new KnowledgeBase({ directory: dir })).toThrow(/duplicate article id x/);
  });
});

describe('Knowledge base search', () => {
  test.each([
    ['我的U盾丢了怎么办', 'lost-token-or-card'],
    ['公司开户要带什么材料', 'account-opening'],
    ['贷款利率现在是多少', 'interest-rates'],
    ['项目融资需要多久能批下来', 'project-financing-timeline'],
    ['提前还款有没有违约金', 'early-repayment'],
    ['网银登录不上去', 'online-banking'],
    ['你们网点几点开门', 'branch-hours-locations'],
    ['审计询证函怎么办理', 'statements-confirmations'],
    ['这个月还款没扣成功会影响征信吗', 'overdue-repayment'],
    ['小微企业有什么普惠贷款', 'inclusive-finance'],
    ['要结汇和跨境汇款', 'fx-cross-border'],
  ])('When a client asks in Chinese "%s", then %s is among the top 3', (question, expected) => {
    const ids = kb.search(question, 'zh-CN').map((s) => s.article.id);
    expect(ids).toContain(expected);
  });

  test.each([
    ['I lost my USB key', 'lost-token-or-card'],
    ['how do I open a company account', 'account-opening'],
    ['what is your interest rate for loans', 'interest-rates'],
    ['how long does project finance approval take', 'project-financing-timeline'],
    ['can I pay off my loan early', 'early-repayment'],
    ['cannot log in to online banking', 'online-banking'],
    ['what time does the branch open', 'branch-hours-locations'],
    ['I need an audit confirmation letter', 'statements-confirmations'],
    ['our credit facility expires next month, how do we renew it', 'credit-line-renewal'],
    ['someone called asking for my verification code', 'data-privacy-security'],
    ['what collateral do you accept', 'guarantees-collateral'],
  ])('When a client asks in English "%s", then %s is among the top 3', (question, expected) => {
    const ids = kb.search(question, 'en').map((s) => s.article.id);
    expect(ids).toContain(expected);
  });

  test('When results are returned, then there are at most 3, best first, with scores between 0 and 1', () => {
    const results = kb.search('loan repayment early', 'en');
    expect(results.length).toBeLessThanOrEqual(3);
    expect(results[0].article.id).toBe('early-repayment');
    for (let i = 1; i < results.length; i += 1) expect(results[i - 1].score).toBeGreaterThanOrEqual(results[i].score);
    for (const r of results) expect(r.score).toBeGreaterThan(0);
    for (const r of results) expect(r.score).toBeLessThanOrEqual(1);
  });

  test.each([
    ['今天天气怎么样', 'zh-CN'],
    ['what is the weather like today', 'en'],
    ['', 'en'],
  ] as const)('When the question "%s" has nothing to do with banking, then nothing is suggested', (question, language) => {
    expect(kb.search(question, language)).toEqual([]);
  });

  test('When an article is excluded, then it is not suggested again', () => {
    const ids = kb.search('I lost my USB key', 'en', 3, ['lost-token-or-card']).map((s) => s.article.id);
    expect(ids).not.toContain('lost-token-or-card');
    expect(ids).toContain('usb-key-token');
  });
});
