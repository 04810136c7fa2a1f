/**
 * When to ask the client which of two intents they mean instead of guessing: the recognizer's
 * two most likely intents are nearly tied. Asking costs the client one tap; a wrong guess sends
 * them down the wrong dialog. On Rapport's development sets a margin of 0.3 asks about 0.5–2 %
 * of messages and offers the right intent for about a fifth of the messages the recognizer gets
 * wrong (docs/NLU.md, "Asking when two intents are close").
 */

/** The part of a recognition the rule reads. */
export interface ScoredRecognition {
  topIntent: string;
  /** Probability of each known intent (they sum to 1). */
  intents?: Record<string, { score: number }>;
}

/** The intent the recognizer gives when nothing is recognised. */
const NONE_INTENT = 'None';

/**
 * The two intents to offer, most likely first, when the recognizer accepted a top intent, the
 * second is less than `margin` behind it, and both are intents the caller can act on; otherwise
 * undefined (a margin of 0 never asks).
 */
export function closeIntents(recognition: ScoredRecognition, margin: number, canRoute: (intent: string) => boolean): [string, string] | undefined {
  if (!(margin > 0) || recognition.topIntent === NONE_INTENT || !recognition.intents) return undefined;
  let first: [string, number] | undefined;
  let second: [string, number] | undefined;
  for (const [intent, { score }] of Object.entries(recognition.intents)) {
    if (!Number.isFinite(score)) continue;
    if (!first || score > first[1]) { second = first; first = [intent, score]; } else if (!second || score > second[1]) second = [intent, score];
  }
  if (!first || !second || first[0] !== recognition.topIntent) return undefined;
  if (first[1] - second[1] >= margin) return undefined;
  return canRoute(first[0]) && canRoute(second[0]) ? [first[0], second[0]] : undefined;
}
