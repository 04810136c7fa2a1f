import { MAX_INPUT_LENGTH, normalizeText } from '../../../services/nlu/textNormalizer';

describe('normalizeText', () => {
  it.each([
    ['full-width letters, digits and punctuation', 'ＣＭＰ－２０２４，ＯＫ！', 'cmp-2024,ok!'],
    ['upper case', 'Hello WORLD', 'hello world'],
    ['runs of whitespace and ideographic spaces', '  a \t\n b\u3000\u3000c  ', 'a b c'],
    ['traditional Chinese', '我們的帳戶餘額', '我们的帐户余额'],
    ['control characters', 'hi\u0000\u0007there', 'hi there'],
    ['a lone surrogate', 'ab\uD800cd', 'abcd'],
    ['compatibility characters (NFKC)', 'ﬁle ①', 'file 1'],
  ])('When the text has %s, then it is normalised', (_, input, expected) => {
    expect(normalizeText(input)).toBe(expected);
  });

  it('When the text is longer than the limit, then only the first part is kept', () => {
    expect(normalizeText('a'.repeat(MAX_INPUT_LENGTH * 3)).length).toBe(MAX_INPUT_LENGTH);
  });

  it('When the text is not a string, then the result is empty', () => {
    expect(normalizeText(undefined as unknown as string)).toBe('');
  });
});
