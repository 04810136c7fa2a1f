/**
 * When the recognizer's two most likely intents are close enough that Rapport asks which one the
 * client means (services/nlu/intentClarification.ts).
 */
import { closeIntents, type ScoredRecognition } from '../../../services/nlu/intentClarification';

const ROUTABLE = new Set(['callback_book', 'callback_list', 'inquiry_rates', 'inquiry_fees']);
const canRoute = (intent: string) => ROUTABLE.has(intent);

function recognition(topIntent: string, scores: Record<string, number>): ScoredRecognition {
  return { topIntent, intents: Object.fromEntries(Object.entries(scores).map(([intent, score]) => [intent, { score }])) };
}

describe('closeIntents', () => {
  test.each([
    ['two routable intents 0.05 apart', recognition('callback_list', { callback_list: 0.45, callback_book: 0.4, greeting: 0.15 }), 0.3, ['callback_list', 'callback_book']],
    ['0.29 apart with margin 0.3', recognition('inquiry_rates', { inquiry_rates: 0.59, inquiry_fees: 0.3, greeting: 0.11 }), 0.3, ['inquiry_rates', 'inquiry_fees']],
    ['exactly the margin apart', recognition('inquiry_rates', { inquiry_rates: 0.6, inquiry_fees: 0.3, greeting: 0.1 }), 0.3, undefined],
    ['far apart', recognition('inquiry_rates', { inquiry_rates: 0.9, inquiry_fees: 0.05, greeting: 0.05 }), 0.3, undefined],
    ['a margin of 0 (never asks), even on a tie', recognition('callback_list', { callback_list: 0.5, callback_book: 0.5 }), 0, undefined],
    ['a recognition of None', recognition('None', { callback_list: 0.45, callback_book: 0.4, greeting: 0.15 }), 0.3, undefined],
    ['a second intent with no dialog (greeting)', recognition('callback_book', { callback_book: 0.5, greeting: 0.45, callback_list: 0.05 }), 0.3, undefined],
    ['a top intent with no dialog', recognition('greeting', { greeting: 0.5, callback_book: 0.45, callback_list: 0.05 }), 0.3, undefined],
    ['a top intent that is not the most likely one', recognition('callback_book', { callback_list: 0.5, callback_book: 0.45 }), 0.3, undefined],
    ['only one intent scored', recognition('callback_book', { callback_book: 1 }), 0.3, undefined],
    ['scores that are not numbers', recognition('callback_book', { callback_book: Number.NaN, callback_list: Number.NaN }), 0.3, undefined],
  ] as const)('When given %s, then the intents to offer are %j', (_case, input, margin, expected) => {
    expect(closeIntents(input, margin, canRoute)).toEqual(expected);
  });

  test('When the recognition carries no intent scores, then nothing is asked', () => {
    expect(closeIntents({ topIntent: 'callback_book' }, 0.3, canRoute)).toBeUndefined();
  });
});
