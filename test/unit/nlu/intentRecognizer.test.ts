import path from 'node:path';
import { IntentClassifier } from '../../../services/nlu/intentClassifier';
import { IntentRecognizer } from '../../../services/nlu/intentRecognizer';
import * as entityExtractor from '../../../services/nlu/entityExtractor';
import { readLabelledFile } from '../../../services/nlu/labelledData';
import { MAX_INPUT_LENGTH } from '../../../services/nlu/textNormalizer';

const repoRoot = path.resolve(__dirname, '../../..');
const fixtures = path.join(__dirname, 'fixtures');
const tinyTrainingSet = () => readLabelledFile(path.join(fixtures, 'tiny-intents.jsonl'));
const tinyOos = () => readLabelledFile(path.join(fixtures, 'tiny-oos.jsonl'));
const shippedModel = path.join(repoRoot, 'data/nlu/model.json');

describe('IntentRecognizer on a small model', () => {
  const model = IntentClassifier.train(tinyTrainingSet(), { seed: 7 }).toJSON();

  it('When the best score is below the threshold, then the top intent is None', () => {
    // A high temperature flattens the probabilities, so the same text falls on either side of a threshold.
    const flat = { ...model, temperature: 50 };
    const lenient = IntentRecognizer.fromModel({ ...flat, threshold: 0.2 }).recognize('what is the interest rate');
    const strict = IntentRecognizer.fromModel({ ...flat, threshold: 0.5 }).recognize('what is the interest rate');
    expect(lenient.topIntent).toBe('inquiry_rates');
    expect(lenient.topScore).toBeLessThan(0.5);
    expect(strict.topIntent).toBe('None');
    expect(strict.topScore).toBe(lenient.topScore);
  });

  it('When the best score reaches the threshold, then that intent is returned with its score', () => {
    const recognizer = IntentRecognizer.fromModel({ ...model, threshold: 0.3 });
    const result = recognizer.recognize('贷款利率是多少?');
    expect(result.topIntent).toBe('inquiry_rates');
    expect(result.topScore).toBe(result.intents.inquiry_rates.score);
    expect(result.topScore).toBeGreaterThanOrEqual(0.3);
  });

  it('When text is recognised, then every known intent has a score and the scores sum to 1', () => {
    const result = IntentRecognizer.fromModel(model).recognize('hello');
    expect(Object.keys(result.intents).sort()).toEqual(['greeting', 'inquiry_rates', 'thanks']);
    expect(Object.values(result.intents).reduce((s, i) => s + i.score, 0)).toBeCloseTo(1, 10);
  });

  it('When the model has an out-of-scope label, then it never appears among the intents', () => {
    const withOos = IntentClassifier.train([...tinyTrainingSet(), ...tinyOos()], { oosLabel: 'oos' }).toJSON();
    const recognizer = IntentRecognizer.fromModel(withOos);
    const result = recognizer.recognize('tell me a joke');
    expect(recognizer.intentNames).not.toContain('oos');
    expect(result.intents).not.toHaveProperty('oos');
    expect(result.topIntent).toBe('None');
    expect(Object.values(result.intents).reduce((s, i) => s + i.score, 0)).toBeCloseTo(1, 10);
  });

  it('When the text is traditional Chinese in full-width form, then it is normalised and detected as Chinese', () => {
    const result = IntentRecognizer.fromModel({ ...model, threshold: 0 }).recognize('貸款利率是多少？', 'en-US');
    expect(result.normalizedText).toBe('贷款利率是多少?');
    expect(result.language).toBe('zh');
    expect(result.topIntent).toBe('inquiry_rates');
  });
});

describe('IntentRecognizer on the shipped model', () => {
  const recognizer = IntentRecognizer.fromFile(shippedModel);

  it('When loaded, then it knows the 25 Rapport intents and nothing else', () => {
    expect(recognizer.intentNames).toHaveLength(25);
    expect(recognizer.intentNames).toEqual(expect.arrayContaining(['greeting', 'complaint_file', 'callback_book', 'inquiry_lost_token_card']));
    expect(recognizer.threshold).toBeGreaterThan(0);
    expect(recognizer.threshold).toBeLessThan(1);
  });

  const badInputs: [string, string][] = [
    ['empty text', ''],
    ['whitespace', ' \t\n\u3000 '],
    ['emoji only', '😀🎉👍🏽'],
    ['control characters', '\u0000\u0001\u0007\u001b[0m'],
    ['lone surrogates', '\uD800\uDC00\uDBFF'.slice(2) + '\uDC00\uD800'],
    ['punctuation only', '?!...，。'],
  ];
  it.each(badInputs)('When the text is %s, then the top intent is None and nothing throws', (_, text) => {
    const result = recognizer.recognize(text, 'zh-CN');
    expect(result.topIntent).toBe('None');
    expect(Object.values(result.intents).reduce((s, i) => s + i.score, 0)).toBeCloseTo(1, 10);
  });

  it('When the text is not a string at all, then the top intent is None', () => {
    expect(recognizer.recognize(undefined as unknown as string).topIntent).toBe('None');
    expect(recognizer.recognize(42 as unknown as string).topIntent).toBe('None');
  });

  /**
   * Milliseconds per call after a warm-up: the fastest of 10 rounds of 4 calls, so a busy
   * shared machine (other processes taking the CPU mid-round) does not decide the result.
   */
  function timePerCall(text: string): number {
    recognizer.recognize(text);
    let fastest = Infinity;
    for (let round = 0; round < 10; round++) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < 4; i++) recognizer.recognize(text);
      fastest = Math.min(fastest, Number(process.hrtime.bigint() - started) / 1e6 / 4);
    }
    return fastest;
  }

  it('When 10,000 characters of junk arrive, then each call takes well under a millisecond per kilobyte', () => {
    for (const junk of ['😀'.repeat(5000), '\u0000\u0007'.repeat(5000), '\uD800'.repeat(10000), ' '.repeat(10000)]) {
      expect(recognizer.recognize(junk).topIntent).toBe('None');
      expect(timePerCall(junk)).toBeLessThan(10 * 0.25);
    }
  });

  it('When 10,000 characters of real text arrive, then only the start is read and the call stays under a millisecond per kilobyte', () => {
    const long = 'I lost my card and need help with the token '.repeat(250).slice(0, 10000);
    expect(recognizer.recognize(long).normalizedText.length).toBeLessThanOrEqual(MAX_INPUT_LENGTH);
    expect(timePerCall(long)).toBeLessThan(10);
  });

  it('When 10,000 characters of random symbols and emoji arrive, then the result is None without a throw', () => {
    const chars = ['😀', '\u0000', '\uD83D', '#', '\u200B', '\uFFFF'];
    const noise = Array.from({ length: 10000 }, (_, i) => chars[i % chars.length]).join('');
    expect(recognizer.recognize(noise).topIntent).toBe('None');
  });

  // The product goal (issue "Intent recognition"): at least 95% on a held-out file of phrasings written
  // without seeing the training sentences. data/nlu/heldout.jsonl is the second such file (fourth round,
  // docs/NLU.md); the shipped model reaches 99.5% on it.
  it('When the held-out sentences are recognised, then at least 95% get their intent', () => {
    const heldout = readLabelledFile(path.join(repoRoot, 'data/nlu/heldout.jsonl'));
    const correct = heldout.filter((row) => recognizer.recognize(row.text).topIntent === row.label).length;
    expect(correct / heldout.length).toBeGreaterThanOrEqual(0.95);
  });

  // The first held-out file, retired to data/nlu/dev3.jsonl after three evaluations, is harder (indirect and
  // rare wording; the third-round model scored 87.2% there and 98.2% on the new file). No longer blind, so
  // not the goal's measure, but a regression floor just below the shipped model's 94.8%.
  it('When the retired first held-out file is recognised, then at least 94% get their intent', () => {
    const dev3 = readLabelledFile(path.join(repoRoot, 'data/nlu/dev3.jsonl'));
    const correct = dev3.filter((row) => recognizer.recognize(row.text).topIntent === row.label).length;
    expect(correct / dev3.length).toBeGreaterThanOrEqual(0.94);
  });

  it('When off-topic sentences are recognised, then at least 90% go to None', () => {
    const offtopic = readLabelledFile(path.join(repoRoot, 'data/nlu/offtopic.jsonl'), 'None');
    const rejected = offtopic.filter((row) => recognizer.recognize(row.text).topIntent === 'None').length;
    expect(rejected / offtopic.length).toBeGreaterThanOrEqual(0.9);
  });
});

describe('IntentRecognizer entities', () => {
  const recognizer = IntentRecognizer.fromFile(shippedModel);

  it('When the text holds an e-mail address and an amount, then they come back as entities with offsets into the original text', () => {
    const text = 'My email is li.wei@example.com and I need 300万 for the project';
    const result = recognizer.recognize(text, 'en-US', new Date('2026-11-29T08:00:00+08:00'));
    const email = result.entities.find((e) => e.type === 'email');
    expect(email?.text).toBe('li.wei@example.com');
    expect(text.slice(email?.start, email?.end)).toBe('li.wei@example.com');
    expect(result.entities.some((e) => e.type === 'money')).toBe(true);
  });

  it('When a result is made, then entities are extracted only when first read, once, and still serialise with it', () => {
    const extract = jest.spyOn(entityExtractor, 'extractEntities');
    try {
      const result = recognizer.recognize('请明天下午三点给我回电，我的手机号是13800138000', 'zh-CN', new Date('2026-11-29T08:00:00+08:00'));
      expect(result.topIntent).toBe('callback_book');
      expect(extract).not.toHaveBeenCalled();
      const first = result.entities;
      expect(first.map((e) => e.type)).toEqual(expect.arrayContaining(['phone', 'datetime']));
      expect(result.entities).toBe(first);
      expect(extract).toHaveBeenCalledTimes(1);
      expect(JSON.parse(JSON.stringify(result)).entities).toHaveLength(first.length);
    } finally {
      extract.mockRestore();
    }
  });
});
