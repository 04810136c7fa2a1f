import { canonicalizeSynonyms, MAX_INPUT_LENGTH, normalizeText } from '../../../services/nlu/textNormalizer';

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

describe('canonicalizeSynonyms', () => {
  it.each([
    ['a device synonym', 'we lost the dongle', 'we lost the token'],
    ['a Chinese device synonym', '网银盾丢了', 'u盾丢了'],
    ['a complaint synonym', 'any news on my grievance?', 'any news on my complaint?'],
    ['a phone synonym', 'please ring me tomorrow', 'please call me tomorrow'],
    ['online banking wording', '网上银行登不上', '网银登不上'],
  ])('When the text has %s, then it is folded onto the training word', (_, input, expected) => {
    expect(canonicalizeSynonyms(normalizeText(input))).toBe(expected);
  });

  it('When a synonym is only part of a longer English word, then it is left alone', () => {
    expect(canonicalizeSynonyms('typical dialogue')).toBe('typical dialogue');
  });
});
