import { extractApplicationNumber } from '../../../services/loans/loanApplicationLookup';

describe('extractApplicationNumber', () => {
  test.each([
    ['LA2026000123', 'LA2026000123'],
    ['la2026000123', 'LA2026000123'],
    ['我的申请 LA 2026000123 到哪一步了', 'LA2026000123'],
    ['status of LA-2026000123?', 'LA2026000123'],
    ['ＬＡ２０２６０００１２３', 'LA2026000123'],
  ])('When a client writes "%s", then the number %s is read', (text, expected) => {
    expect(extractApplicationNumber(text)).toBe(expected);
  });

  test.each([
    ['12345'], ['LA123'], ['LA20260001234'], ['XLA2026000123'], ['CMP-20261129-4F7Q'], [''],
  ])('When a client writes "%s", then no application number is read', (text) => {
    expect(extractApplicationNumber(text)).toBeUndefined();
  });
});
