/**
 * The new-request rule on the shipped model: at a rating or a yes/no, the usual answers must never
 * be taken for a new request (they would leave the question unanswered), and the usual requests
 * must be. Routable intents are those the app routes (bot/dialogComposition.ts): complaints,
 * callbacks, feedback, opt-out and the inquiry topics.
 */
import path from 'node:path';
import { IntentRecognizer } from '../../../services/nlu/intentRecognizer';
import { isNewRequest } from '../../../services/nlu/newRequest';
import { AnswerParser } from '../../../services/surveys/answerParser';
import { parseSurveyDefinition } from '../../../services/surveys/surveyDefinition';
import { INQUIRY_INTENTS } from '../../../services/knowledge/knowledgeBase';
import { repoRoot } from '../../support/dialogHarness';

const recognizer = IntentRecognizer.fromFile(path.join(repoRoot, 'data/nlu/model.json'));
const parser = new AnswerParser(require(path.join(repoRoot, 'data/surveyVocabulary.json')));
const rating = parseSurveyDefinition(require(path.join(repoRoot, 'data/surveys/quick-csat.json'))).questions[0];
const ROUTED = new Set<string>([
  'complaint_file', 'complaint_status', 'callback_book', 'callback_list', 'callback_reschedule', 'callback_cancel',
  'survey_feedback', 'opt_out', ...INQUIRY_INTENTS,
]);
const language = (text: string) => (/\p{Script=Han}/u.test(text) ? 'zh-CN' : 'en');
const newRequest = (text: string) => isNewRequest(recognizer.recognize(text, language(text)), (intent) => ROUTED.has(intent));

const RATING_ANSWERS = [
  '5', '5分', '五分', '给5分', '打4分', '满分', '很方便', '非常方便', '还行', '还可以', '一般', '不太方便', '很不方便', '太麻烦了',
  '不太满意', '很满意', '挺好的', '不错', '差', '很差', '烂透了', '没意见', '不好说', '嗯',
  'very easy', 'easy', 'ok', 'fine', 'not bad', 'not good', 'so-so', 'hard', 'terrible', 'great', 'excellent', 'good', 'bad',
  'could be better', '4 stars', 'five', 'three out of five', 'hmm',
];
const YES_NO_ANSWERS = ['是', '是的', '对', '不是', '没有', '没解决', '解决了', '好的', 'yes', 'yep', 'no', 'nope', 'not really', 'sure', 'it did', 'it did not'];
const REQUESTS = [
  '查看我的预约', '你们网点几点开门？', '那手续费怎么收', '我要投诉', '我想预约回电', '贷款利率是多少', 'U盾丢了怎么办',
  'what are your branch opening hours?', 'and what are your fees?', 'I want to book a callback', 'show my callbacks', 'I lost my USB token',
];

describe('New requests on the shipped model', () => {
  test.each(RATING_ANSWERS)('When "%s" answers a 1-5 rating, then it is a score or at least not a new request', (text) => {
    const parsed = parser.parse(rating, text);
    expect({ text, leaves: !parsed.ok && newRequest(text) }).toEqual({ text, leaves: false });
  });

  test.each(YES_NO_ANSWERS)('When "%s" answers a yes/no question, then it is not a new request', (text) => {
    expect({ text, newRequest: newRequest(text) }).toEqual({ text, newRequest: false });
  });

  test.each(REQUESTS)('When "%s" is typed at a closed question, then it is a new request', (text) => {
    expect({ text, newRequest: newRequest(text) }).toEqual({ text, newRequest: true });
  });
});
