import { readComplaintOpening, MIN_DESCRIPTION_WORDS_WITHOUT_HAN } from '../../../services/tickets/complaintOpening';

const openingDescription = (text: string, phrases: string[], min: number, max: number) => readComplaintOpening(text, phrases, min, max).description;

const PHRASES = ['我要投诉', '投诉', 'i want to complain', 'i would like to make a complaint', 'complaint'];
const MIN = 10;
const MAX = 2000;

describe('openingDescription', () => {
  test.each([
    ['我要投诉，你们的网银转账总是失败，已经三天了', '我要投诉，你们的网银转账总是失败，已经三天了'],
    ['  投诉：上个月的账户管理费被重复扣了两次  ', '投诉：上个月的账户管理费被重复扣了两次'],
    ['I want to complain: your online banking transfers have failed for three days', 'I want to complain: your online banking transfers have failed for three days'],
    ['COMPLAINT - the branch in Pudong kept us waiting two hours', 'COMPLAINT - the branch in Pudong kept us waiting two hours'],
    ['上个月的账户管理费被重复扣了两次', '上个月的账户管理费被重复扣了两次'],
  ])('When the opening is "%s", then it is kept as the description', (text, expected) => {
    expect(openingDescription(text, PHRASES, MIN, MAX)).toBe(expected);
  });

  test.each([
    ['我要投诉'],
    ['我要投诉手续费'],
    ['我要投诉你们的客户经理'], // seven characters once the phrase is set aside
    ['I would like to make a complaint'],
    ['I want to complain about fees'],
    ['complaint: loan is very late'], // four words
    [''],
    ['   '],
  ])('When the opening is "%s", then the description is still asked for', (text) => {
    expect(openingDescription(text, PHRASES, MIN, MAX)).toBeUndefined();
  });

  test('When the opening is longer than the description may be, then it is not taken and its length is given, so the client can be told', () => {
    const text = `我要投诉，${'转账失败'.repeat(600)}`;
    expect(readComplaintOpening(text, PHRASES, MIN, MAX)).toEqual({ saysComplaint: true, description: undefined, tooLong: [...text].length });
  });

  test('When an English opening has exactly the least number of words, then it counts', () => {
    const words = ['the', 'transfer', 'failed', 'three', 'times', 'today'].slice(0, MIN_DESCRIPTION_WORDS_WITHOUT_HAN).join(' ');
    expect(openingDescription(words, PHRASES, MIN, MAX)).toBe(words);
    expect(openingDescription(words.split(' ').slice(0, -1).join(' ') + ' x', PHRASES, MIN, MAX)).toBe(words.split(' ').slice(0, -1).join(' ') + ' x');
    expect(openingDescription(words.split(' ').slice(0, -1).join(' '), PHRASES, MIN, MAX)).toBeUndefined();
  });

  test.each([
    ['我要投诉手续费', true],
    ['I want to complain about fees', true],
    ['Complaint: loan is late', true],
    ['你们的服务太差了', false],
    ['the app keeps logging me out', false],
  ])('When the opening is "%s", then saying it is a complaint is %s', (text, expected) => {
    expect(readComplaintOpening(text, PHRASES, MIN, MAX).saysComplaint).toBe(expected);
  });
});
