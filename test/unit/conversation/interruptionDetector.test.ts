import path from 'node:path';
import { InterruptionDetector } from '../../../services/conversation/interruptionDetector';

const detector = new InterruptionDetector(require(path.resolve(__dirname, '../../../data/interruptions.json')));

describe('InterruptionDetector', () => {
  test.each([
    ['转人工', 'human'], ['帮我转人工', 'human'], ['我要找人工客服', 'human'], ['人工客服', 'human'], ['请转接人工服务！', 'human'],
    ['人工在吗', 'human'], ['talk to a person', 'human'], ['Can I speak to a real person please?', 'human'],
    ['connect me to an agent', 'human'], ['I want a human', 'human'],
    ['取消', 'cancel'], ['算了吧', 'cancel'], ['Cancel', 'cancel'], ['never mind', 'cancel'],
    ['帮助', 'help'], ['help', 'help'], ['what can you do?', 'help'],
    ['English please', 'switchLanguage'], ['说中文', 'switchLanguage'], ['请说中文', 'switchLanguage'],
  ])('When a client types "%s", then it is the %s interruption', (text, kind) => {
    expect(detector.detect(text)?.kind).toBe(kind);
  });

  test.each([
    '你们的人工客服态度很差，我要投诉', 'The human agent I spoke to yesterday was rude', '取消我明天的回电预约',
    'cancel my callback CBK-20261130-ABCD', '帮助企业融资的产品有哪些', 'my English is not good', '中文名称怎么改', '', '   ',
  ])('When a client types "%s", then it is not an interruption', (text) => {
    expect(detector.detect(text)).toBeUndefined();
  });

  test('When the client asks for English or Chinese, then the target language is given', () => {
    expect(detector.detect('in English')).toEqual({ kind: 'switchLanguage', language: 'en' });
    expect(detector.detect('用中文')).toEqual({ kind: 'switchLanguage', language: 'zh-CN' });
  });
});
