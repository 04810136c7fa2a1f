import { createLocalizer } from '../../support/dialogHarness';

const localizer = createLocalizer();
const surveyKeys = (language: 'zh-CN' | 'en') => localizer.keys(language).filter((k) => k.startsWith('survey.'));
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('survey locale resources', () => {
  test('When the survey strings are loaded, then zh-CN and en have the same keys', () => {
    expect(surveyKeys('zh-CN')).toEqual(surveyKeys('en'));
    expect(surveyKeys('en').length).toBeGreaterThan(20);
  });

  test.each(surveyKeys('en'))('When %s is shown, then both languages use the same placeholders', (key) => {
    expect(placeholders(localizer.list('zh-CN', key).join('\n'))).toEqual(placeholders(localizer.list('en', key).join('\n')));
  });

  test('When an answer is invalid for any reason the parser gives, then there is a message for it', () => {
    for (const reason of ['empty', 'not_a_score', 'out_of_range', 'unknown_choice', 'one_choice_only', 'too_long']) {
      expect(localizer.has('zh-CN', `survey.invalid_${reason}`) && localizer.has('en', `survey.invalid_${reason}`)).toBe(true);
    }
  });
});
