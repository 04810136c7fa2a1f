import path from 'node:path';
import { IntentClassifier, type LabelledText } from '../../../services/nlu/intentClassifier';
import { readLabelledFile } from '../../../services/nlu/labelledData';
import { normalizeText } from '../../../services/nlu/textNormalizer';

const fixtures = path.join(__dirname, 'fixtures');
/** A small bilingual set: enough to train in milliseconds and check behaviour, not accuracy. */
const tinyTrainingSet = (): LabelledText[] => readLabelledFile(path.join(fixtures, 'tiny-intents.jsonl'));
const tinyOos = (): LabelledText[] => readLabelledFile(path.join(fixtures, 'tiny-oos.jsonl'));

describe('IntentClassifier', () => {
  const classifier = IntentClassifier.train(tinyTrainingSet(), { seed: 7 });

  it('When trained twice on the same data, then the serialised models are byte-for-byte equal', () => {
    const again = IntentClassifier.train(tinyTrainingSet(), { seed: 7 });
    expect(JSON.stringify(again.toJSON())).toBe(JSON.stringify(classifier.toJSON()));
  });

  it('When saved and loaded, then the scores are identical', () => {
    const loaded = IntentClassifier.fromJSON(JSON.parse(JSON.stringify(classifier.toJSON())));
    for (const text of ['hello there', '贷款利率', 'thanks so much', 'something else entirely']) {
      const normalized = normalizeText(text);
      expect(Array.from(loaded.classifyNormalized(normalized).probabilities)).toEqual(Array.from(classifier.classifyNormalized(normalized).probabilities));
    }
    expect(loaded.threshold).toBe(classifier.threshold);
    expect(loaded.labels).toEqual(classifier.labels);
  });

  it('When a text is classified, then the probabilities sum to 1 and the right label wins', () => {
    const { probabilities } = classifier.classifyNormalized(normalizeText('what is your interest rate'));
    expect(Array.from(probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    expect(classifier.labels[probabilities.indexOf(Math.max(...probabilities))]).toBe('inquiry_rates');
  });

  it('When the SVM shrinks its active set, then it learns the same tiny set and stays deterministic', () => {
    const options = { algorithm: 'svm' as const, svm: { epochs: 10, c: 1, shrinking: true }, seed: 7 };
    const shrunk = IntentClassifier.train(tinyTrainingSet(), options);
    expect(JSON.stringify(IntentClassifier.train(tinyTrainingSet(), options).toJSON())).toBe(JSON.stringify(shrunk.toJSON()));
    const plain = IntentClassifier.train(tinyTrainingSet(), { ...options, svm: { epochs: 10, c: 1 } });
    for (const text of ['what is your interest rate', '贷款利率', 'thanks so much', 'I want to complain']) {
      const a = shrunk.classifyNormalized(normalizeText(text)).probabilities;
      const b = plain.classifyNormalized(normalizeText(text)).probabilities;
      expect(shrunk.labels[a.indexOf(Math.max(...a))]).toBe(plain.labels[b.indexOf(Math.max(...b))]);
    }
  });

  it('When the model JSON is not a Rapport model, then loading fails with a clear error', () => {
    expect(() => IntentClassifier.fromJSON({ format: 'other' } as never)).toThrow(/Rapport intent model/);
  });

  it('When an out-of-scope label is trained, then it is not one of the intent names', () => {
    const withOos = IntentClassifier.train([...tinyTrainingSet(), ...tinyOos()], { oosLabel: 'oos' });
    expect(withOos.labels).toContain('oos');
    expect(withOos.intentNames).not.toContain('oos');
  });
});
