import path from 'node:path';
import { SentimentMonitor } from '../../../services/handoff/sentimentMonitor';

const lexicon = require(path.resolve(__dirname, '../../../data/sentiment-zh.json'));
const english = require(path.resolve(__dirname, '../../../data/sentiment-en.json'));

describe('SentimentMonitor', () => {
  const monitor = new SentimentMonitor(lexicon, { english });

  test.each<[string, 'en' | 'zh-CN', boolean]>([
    ['This is terrible, I am very angry with your useless service', 'en', true],
    ['What a horrible waste of my time', 'en', true],
    ['Thanks, that was helpful and great', 'en', false],
    ['What is the interest rate for a working-capital loan?', 'en', false],
    ['你们的服务太差了，我很不满意', 'zh-CN', true],
    ['真是浪费时间，答非所问', 'zh-CN', true],
    ['我对结果很满意，谢谢', 'zh-CN', false],
    ['流动资金贷款的利率是多少？', 'zh-CN', false],
    // The matter a client came about is no mood (AFINN alone scores these negative):
    ['where is my complaint?', 'en', false],
    ['I lost my token', 'en', false],
    ['my card was stolen, please freeze it', 'en', false],
    ['cancel my callback', 'en', false],
    ['No, thanks!', 'en', false],
    // ... while feelings still count, negated ones too:
    ['not helpful at all', 'en', true],
    ['the transfer failed again, this is ridiculous', 'en', true],
  ])('When the message is "%s", then negative is %s', (text, language, negative) => {
    expect(monitor.observe(0, text, language).negative).toBe(negative);
  });

  test('When three negative messages come in a row, then the third one escalates once', () => {
    const first = monitor.observe(0, '太差了', 'zh-CN');
    const second = monitor.observe(first.streak, '真让人失望', 'zh-CN');
    const third = monitor.observe(second.streak, 'This is awful and useless', 'en');
    const fourth = monitor.observe(third.streak, '垃圾', 'zh-CN');
    expect([first.escalate, second.escalate, third.escalate, fourth.escalate]).toEqual([false, false, true, false]);
    expect(third.streak).toBe(3);
  });

  test('When a neutral message breaks the run, then the count starts again', () => {
    const a = monitor.observe(0, '太差了', 'zh-CN');
    const b = monitor.observe(a.streak, '真让人失望', 'zh-CN');
    const c = monitor.observe(b.streak, '我想问一下还款日期', 'zh-CN');
    const d = monitor.observe(c.streak, '垃圾', 'zh-CN');
    expect([c.streak, d.streak, d.escalate]).toEqual([0, 1, false]);
  });

  test('When the monitor is built without the English word lists, then AFINN alone scores the same matters negative (which the lists are for)', () => {
    const plain = new SentimentMonitor(lexicon);
    expect(['where is my complaint?', 'I lost my token', 'no thanks'].map((t) => plain.observe(0, t, 'en').negative)).toEqual([true, true, true]);
  });
});
