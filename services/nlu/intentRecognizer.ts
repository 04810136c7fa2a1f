/**
 * The recognizer dialogs route by: intents with calibrated scores, `None` for out-of-scope or
 * unusable text, the language by script, and entities. Loads a trained model; never trains.
 */
import fs from 'node:fs';
import { extractEntities, type NluLanguage, type RecognizedEntity } from './entityExtractor';
import { IntentClassifier, type IntentModelJson } from './intentClassifier';
import { detectLanguage } from './languageDetector';
import { MAX_INPUT_LENGTH, normalizeText } from './textNormalizer';

export type { NluLanguage, RecognizedEntity };

export interface RecognitionResult {
  /** Original text. */
  text: string;
  normalizedText: string;
  /** Detected by script; the locale argument only breaks ties and decides for text without letters. */
  language: NluLanguage;
  /** Every known intent; probabilities sum to 1. */
  intents: Record<string, { score: number }>;
  /** 'None' when the best score is below the threshold or the text is unusable. */
  topIntent: string;
  topScore: number;
  entities: RecognizedEntity[];
}

/** The intent name returned for out-of-scope or unusable text. */
export const NONE_INTENT = 'None';

const MEANINGFUL = /[\p{L}\p{N}]/u;

export class IntentRecognizer {
  private constructor(private readonly classifier: IntentClassifier) {}

  /** Loads a model file (data/nlu/model.json) once; never trains. */
  static fromFile(modelPath: string): IntentRecognizer {
    if (!modelPath) throw new Error('modelPath is required');
    const json = JSON.parse(fs.readFileSync(modelPath, 'utf8')) as IntentModelJson;
    return IntentRecognizer.fromModel(json);
  }

  /** Wraps an already parsed model. */
  static fromModel(model: IntentModelJson): IntentRecognizer {
    return new IntentRecognizer(IntentClassifier.fromJSON(model));
  }

  /** Lowest probability at which the best intent is accepted rather than answered with `None`. */
  get threshold(): number {
    return this.classifier.threshold;
  }

  /** The known intents (an out-of-scope training label is not one). */
  get intentNames(): string[] {
    return this.classifier.intentNames;
  }

  /**
   * Recognises one message. Synchronous and never throws: bad input (empty, emoji only,
   * control characters, invalid UTF-16, very long text) gives `None`. Only the first
   * {@link MAX_INPUT_LENGTH} code units are read.
   *
   * With an out-of-scope label in the model, its probability mass is removed and the known
   * intents renormalised; the text is `None` when that label wins or the best intent's
   * probability before renormalisation is below the threshold.
   */
  recognize(text: string, locale?: string, referenceDate?: Date): RecognitionResult {
    const original = typeof text === 'string' ? text : '';
    const names = this.classifier.intentNames;
    try {
      const normalizedText = normalizeText(original);
      const language = detectLanguage(normalizedText, locale);
      const { probabilities, knownTerms } = this.classifier.classifyNormalized(normalizedText);
      const labels = this.classifier.labels;
      const oos = this.classifier.oosLabel;
      let inScopeMass = 0;
      let best = -1;
      let oosProbability = 0;
      for (let k = 0; k < labels.length; k++) {
        if (labels[k] === oos) { oosProbability = probabilities[k]; continue; }
        inScopeMass += probabilities[k];
        if (best < 0 || probabilities[k] > probabilities[best]) best = k;
      }
      const intents: Record<string, { score: number }> = {};
      for (let k = 0; k < labels.length; k++) {
        if (labels[k] !== oos) intents[labels[k]] = { score: probabilities[k] / inScopeMass };
      }
      const usable = knownTerms > 0 && MEANINGFUL.test(normalizedText);
      const accepted = usable && probabilities[best] >= this.classifier.threshold && probabilities[best] >= oosProbability;
      return withLazyEntities({
        text: original,
        normalizedText,
        language,
        intents,
        topIntent: accepted ? labels[best] : NONE_INTENT,
        topScore: probabilities[best] / inScopeMass,
      }, () => (MEANINGFUL.test(normalizedText) ? safeEntities(original, language, referenceDate) : []));
    } catch {
      const uniform = 1 / Math.max(names.length, 1);
      return {
        text: original,
        normalizedText: '',
        language: detectLanguage('', locale),
        intents: Object.fromEntries(names.map((name) => [name, { score: uniform }])),
        topIntent: NONE_INTENT,
        topScore: uniform,
        entities: [],
      };
    }
  }
}

/**
 * Entities are found on first read, then kept: extracting dates and amounts costs about a
 * millisecond of CPU per message (Microsoft's recognizers), about ten times the intent
 * scoring (npm run bench:nlu-turn), and most routes never read them. The property is enumerable, so the result serialises as before.
 */
function withLazyEntities(result: Omit<RecognitionResult, 'entities'>, extract: () => RecognizedEntity[]): RecognitionResult {
  let entities: RecognizedEntity[] | undefined;
  return Object.defineProperty(result, 'entities', {
    enumerable: true,
    configurable: true,
    get: () => (entities ??= extract()),
    set: (value: RecognizedEntity[]) => { entities = value; },
  }) as RecognitionResult;
}

function safeEntities(text: string, language: NluLanguage, referenceDate?: Date): RecognizedEntity[] {
  try {
    return extractEntities(text.length > MAX_INPUT_LENGTH ? text.slice(0, MAX_INPUT_LENGTH) : text, language, referenceDate);
  } catch {
    return [];
  }
}
