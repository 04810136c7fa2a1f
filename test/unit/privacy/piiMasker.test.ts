import type { Activity } from 'botbuilder';
import { maskActivity, maskPii } from '../../../services/privacy/piiMasker';

describe('maskPii', () => {
  test.each([
    // [case, input, expected]
    ['a 16-digit card in English', 'My card is 6222021234567890, please check', 'My card is ************7890, please check'],
    ['a 19-digit card in Chinese', '我的卡号是6222021234567890123，谢谢', '我的卡号是***************0123，谢谢'],
    ['a card grouped by spaces', 'card 6222 0212 3456 7890 ok', 'card **** **** **** 7890 ok'],
    ['a 19-digit card grouped by dashes', '卡号：6222-0212-3456-7890-123', '卡号：****-****-****-***0-123'],
    ['a card grouped 6+13', '卡 622202 1234567890123 已挂失', '卡 ****** *********0123 已挂失'],
    ['a card followed by an amount', '6222021234567890 100元', '************7890 100元'],
    ['a resident ID in Chinese', '身份证号110101199003077777，请核实', '身份证号**************7777，请核实'],
    ['a resident ID ending in X', 'ID: 11010519491231002X.', 'ID: **************002X.'],
    ['a resident ID ending in lowercase x', '证件 11010519491231002x', '证件 **************002x'],
    ['a resident ID typed with spaces', '身份证 110101 19900307 777X', '身份证 ****** ******** 777X'],
    ['two cards in one message', 'from 6222021234567890 to 4111111111111111', 'from ************7890 to ************1111'],
    ['a card right after letters', 'card6222021234567890', 'card************7890'],
  ])('When the text holds %s, then it is masked keeping the last 4', (_case, input, expected) => {
    expect(maskPii(input)).toBe(expected);
  });

  test.each([
    ['a mainland mobile number', '请回电 13812345678'],
    ['a phone number in English', 'call me on +86 138 1234 5678 tomorrow'],
    ['a complaint reference', 'Your reference is CMP-20261129-4F7Q.'],
    ['a reference with a long digit part', '工单 REF-1234567890123456 已受理'],
    ['a 15-digit number', 'order 123456789012345'],
    ['a 20-digit number', 'tracking 12345678901234567890'],
    ['an amount and a date', '2026年11月29日转账 1,000,000.00 元'],
    ['two phone numbers', '13812345678 13912345678'],
    ['empty text', ''],
  ])('When the text holds %s, then it is unchanged', (_case, input) => {
    expect(maskPii(input)).toBe(input);
  });
});

describe('maskActivity', () => {
  const original = (): Partial<Activity> => ({
    type: 'message',
    id: 'a1',
    timestamp: new Date('2026-11-29T03:00:00Z'),
    text: '卡号 6222021234567890',
    speak: 'card 6222021234567890',
    summary: 'ID 110101199003077777',
    value: { form: { card: '6222 0212 3456 7890', amount: 100, notes: ['身份证 11010519491231002X'] } },
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { body: [{ type: 'TextBlock', text: 'Card 6222021234567890' }] } }],
    channelData: { untouched: true },
    from: { id: 'user-1', name: '13812345678' },
  });

  test('When an activity holds card and ID numbers, then text, speak, summary, value and card content are masked', () => {
    const masked = maskActivity(original());
    expect(masked.text).toBe('卡号 ************7890');
    expect(masked.speak).toBe('card ************7890');
    expect(masked.summary).toBe('ID **************7777');
    expect(masked.value).toEqual({ form: { card: '**** **** **** 7890', amount: 100, notes: ['身份证 **************002X'] } });
    expect((masked.attachments![0].content as any).body[0].text).toBe('Card ************7890');
    expect(masked.from).toEqual({ id: 'user-1', name: '13812345678' });
    expect(masked.timestamp).toEqual(new Date('2026-11-29T03:00:00Z'));
    expect(masked.timestamp).toBeInstanceOf(Date);
  });

  test('When an activity is masked, then the original is left untouched and the copy shares no objects', () => {
    const input = original();
    const before = JSON.stringify(input);
    const masked = maskActivity(input);
    expect(JSON.stringify(input)).toBe(before);
    expect(masked.value).not.toBe(input.value);
    expect(masked.channelData).not.toBe(input.channelData);
    expect(masked.attachments).not.toBe(input.attachments);
  });
});
