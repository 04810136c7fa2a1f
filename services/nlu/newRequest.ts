/**
 * When a message given to a closed question (a rating, a choice) is not an answer but a new
 * request: the client has moved on ("查看我的预约" under "how easy was it, 1-5?"), and re-asking
 * the question would lose what they asked. Only a confident recognition of an intent the bot can
 * act on counts, so a vague reply ("还行吧", "hmm") is still re-asked.
 */
import type { ScoredRecognition } from './intentClarification';

/** The intent the recognizer gives when nothing is recognised. */
const NONE_INTENT = 'None';

/**
 * Intents that never count: at a rating or a yes/no, words about the service ("满分", "没意见",
 * "three out of five") are recognised as wanting to give feedback, which is what the question
 * is already collecting.
 */
const NEVER_NEW_REQUESTS: ReadonlySet<string> = new Set(['survey_feedback']);

/** The least probability of the top intent for a non-answer to count as a new request. */
export const NEW_REQUEST_MIN_SCORE = 0.5;

export interface RecognitionWithScore extends ScoredRecognition {
  topScore: number;
}

/** True when the recognizer accepted an intent the caller can route, with at least `minScore`. */
export function isNewRequest(
  recognition: RecognitionWithScore | undefined,
  canRoute: (intent: string) => boolean,
  minScore = NEW_REQUEST_MIN_SCORE,
): boolean {
  if (!recognition || recognition.topIntent === NONE_INTENT || NEVER_NEW_REQUESTS.has(recognition.topIntent)) return false;
  if (!(recognition.topScore >= minScore)) return false;
  return canRoute(recognition.topIntent);
}
