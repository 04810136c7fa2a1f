import { findContact, findPhone, parseContact, parsePhone } from '../../../services/contact/contactValidator';

type Expected = { kind: string; value: string } | undefined;

const cases: Array<[string, Expected]> = [
  ['13812345678', { kind: 'mobile', value: '+8613812345678' }],
  ['138 1234 5678', { kind: 'mobile', value: '+8613812345678' }],
  ['138-1234-5678', { kind: 'mobile', value: '+8613812345678' }],
  ['+86 138 1234 5678', { kind: 'mobile', value: '+8613812345678' }],
  ['+8619912345678', { kind: 'mobile', value: '+8619912345678' }],
  ['0086-139-0000-1111', { kind: 'mobile', value: '+8613900001111' }],
  ['１３８１２３４５６７８', { kind: 'mobile', value: '+8613812345678' }],
  ['1381234567', undefined], // 10 digits
  ['138123456789', undefined], // 12 digits
  ['12812345678', undefined], // starts with 12
  ['11812345678', undefined], // starts with 11
  ['1381234567a', undefined], // a letter
  ['+86 1381234567', undefined], // +86 and only 10 digits
  ['010-12345678', { kind: 'landline', value: '+861012345678' }],
  ['0755-1234567', { kind: 'landline', value: '+867551234567' }],
  ['0755-81234567', { kind: 'landline', value: '+8675581234567' }],
  ['(021)12345678', { kind: 'landline', value: '+862112345678' }],
  ['（021）6234 5678', { kind: 'landline', value: '+862162345678' }],
  ['+86 10 6234 5678', { kind: 'landline', value: '+861062345678' }],
  ['12345678', undefined], // landline without area code
  ['010-123456', undefined], // subscriber number too short
  ['010-012345678', undefined], // subscriber number starting with 0
  ['+44 20 7946 0958', { kind: 'international', value: '+442079460958' }],
  ['0044 20 7946 0958', { kind: 'international', value: '+442079460958' }],
  ['+1 415 555 2671', { kind: 'international', value: '+14155552671' }],
  ['+852 2123 4567', { kind: 'international', value: '+85221234567' }],
  ['+65 6123 4567', { kind: 'international', value: '+6561234567' }],
  ['+999 123456', undefined], // no such country code
  ['+44 12', undefined], // too short for the UK
  ['Li.Wei@Example.COM', { kind: 'email', value: 'li.wei@example.com' }],
  [' finance+loans@company.com.cn ', { kind: 'email', value: 'finance+loans@company.com.cn' }],
  ['liwei@example', undefined],
  ['li wei@example.com', undefined],
  ['li@@example.com', undefined],
  ['li..wei@example.com', undefined],
  ['', undefined],
  ['call me tomorrow', undefined],
  ['我的电话是', undefined],
];

describe('parseContact', () => {
  test.each(cases)('When a client types %j, then it parses to %j', (text, expected) => {
    expect(parseContact(text)).toEqual(expected);
  });
});

describe('parsePhone', () => {
  test('When an email is given where a phone is expected, then it is refused', () => {
    expect(parsePhone('li.wei@example.com')).toBeUndefined();
  });

  test('When a phone is given, then it parses like parseContact', () => {
    expect(parsePhone('0755-1234567')).toEqual({ kind: 'landline', value: '+867551234567' });
    expect(parsePhone('+86 138 1234 5678')).toEqual({ kind: 'mobile', value: '+8613812345678' });
  });
});

describe('findPhone', () => {
  test.each([
    ['我的手机是13812345678', { kind: 'mobile', value: '+8613812345678' }],
    ['打我手机 138 1234 5678 就行', { kind: 'mobile', value: '+8613812345678' }],
    ['call me on +86 21 6123 4567 please', { kind: 'landline', value: '+862161234567' }],
    ['0755-1234567', { kind: 'landline', value: '+867551234567' }],
    ['邮箱 li.wei@example.com', undefined],
    ['我的手机是1381234567', undefined],
    ['否', undefined],
  ])('When the answer is "%s", then the phone found is %j', (text, expected) => {
    expect(findPhone(text)).toEqual(expected);
  });
});

describe('findContact', () => {
  test.each([
    ['我的手机是 138 1234 5678', { kind: 'mobile', value: '+8613812345678' }],
    ['请打座机(021)12345678找财务', { kind: 'landline', value: '+862112345678' }],
    ['email me at Li.Wei@Example.com.', { kind: 'email', value: 'li.wei@example.com' }],
    ['邮箱:finance@company.cn,谢谢', { kind: 'email', value: 'finance@company.cn' }],
    ['call +44 20 7946 0958 after 3', { kind: 'international', value: '+442079460958' }],
    ['my number is 1381234567', undefined],
    ['I waited 3 weeks', undefined],
  ])('When a client answers %j, then the contact found is %j', (text, expected) => {
    expect(findContact(text)).toEqual(expected);
  });
});
