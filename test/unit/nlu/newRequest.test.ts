import { isNewRequest, NEW_REQUEST_MIN_SCORE } from '../../../services/nlu/newRequest';

const routable = (intent: string) => ['callback_list', 'inquiry_branch_hours', 'survey_feedback'].includes(intent);

describe('isNewRequest', () => {
  test.each([
    ['a confident routable intent', { topIntent: 'callback_list', topScore: 0.9 }, true],
    ['exactly the least score', { topIntent: 'inquiry_branch_hours', topScore: NEW_REQUEST_MIN_SCORE }, true],
    ['a routable intent below the least score', { topIntent: 'callback_list', topScore: NEW_REQUEST_MIN_SCORE - 0.01 }, false],
    ['None, however sure', { topIntent: 'None', topScore: 0.99 }, false],
    ['an intent the caller cannot route (small talk)', { topIntent: 'thanks', topScore: 0.95 }, false],
    ['wanting to give feedback (what a rating already collects), though routable', { topIntent: 'survey_feedback', topScore: 0.99 }, false],
    ['a score that is not a number', { topIntent: 'callback_list', topScore: Number.NaN }, false],
  ])('When the recognition is %s, then it is %s', (_what, recognition, expected) => {
    expect(isNewRequest(recognition, routable)).toBe(expected);
  });

  test('When there is no recognition (a card submit, an empty message), then it is not a new request', () => {
    expect(isNewRequest(undefined, routable)).toBe(false);
  });

  test('When the caller sets its own least score, then that one applies', () => {
    expect(isNewRequest({ topIntent: 'callback_list', topScore: 0.6 }, routable, 0.7)).toBe(false);
    expect(isNewRequest({ topIntent: 'callback_list', topScore: 0.75 }, routable, 0.7)).toBe(true);
  });
});
