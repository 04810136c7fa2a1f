/**
 * Rapport's intent classifier: TF-IDF word and character n-grams (see featureExtractor.ts)
 * into a linear model, with softmax probabilities calibrated by a temperature and an
 * out-of-scope threshold, both chosen on out-of-fold scores from the training data only.
 */
import { DEFAULT_FEATURE_OPTIONS, extractTerms, TfidfVectorizer, type FeatureOptions, type SparseVector } from './featureExtractor';
import {
  createRandom, linearScores, shuffledIndices, softmaxInPlace, trainSoftmax, trainSvm,
  type LinearWeights, type TrainingSet,
} from './linearTrainers';
import { normalizeText } from './textNormalizer';

/** One labelled training or test text. */
export interface LabelledText {
  text: string;
  label: string;
}

export interface IntentClassifierOptions {
  features: FeatureOptions;
  /** 'svm': one-vs-rest squared-hinge SVM; 'softmax': multinomial LR; 'ensemble': both, logits added. */
  algorithm: 'svm' | 'softmax' | 'ensemble';
  svm: { epochs: number; c: number; shrinking?: boolean };
  softmax: { epochs: number; learningRate: number; l2: number };
  /** Weight of the SVM scores when added to the softmax logits in 'ensemble'. */
  ensembleSvmWeight: number;
  /** Weight examples inversely to their class frequency. */
  balanceClasses: boolean;
  seed: number;
  /** Share of the training data held out (stratified) to choose the temperature and threshold. */
  validationFraction: number;
  /**
   * More than 1: k-fold cross-validation instead of one split, pooling every example's
   * out-of-fold scores (steadier thresholds on small data, k + 1 fits). The final model is
   * always fitted on all the data.
   */
  validationFolds: number;
  /** A training label that means "out of scope"; never reported as an intent. */
  oosLabel: string | null;
  /**
   * Learn the out-of-scope label as a class (true), or keep its examples out of training and
   * use them only to choose the threshold (false).
   */
  oosAsClass: boolean;
  /**
   * Weight of out-of-scope recall against in-scope accuracy when the threshold is chosen
   * (1 = their plain mean). Below 1 favours answering in-scope texts.
   */
  thresholdOosWeight: number;
  /** Without out-of-scope validation examples: share of correctly classified validation texts to accept. */
  inScopeAcceptance: number;
}

export const DEFAULT_CLASSIFIER_OPTIONS: IntentClassifierOptions = {
  features: DEFAULT_FEATURE_OPTIONS,
  algorithm: 'softmax',
  svm: { epochs: 10, c: 1 },
  softmax: { epochs: 20, learningRate: 1, l2: 0 },
  ensembleSvmWeight: 3,
  balanceClasses: false,
  seed: 42,
  validationFraction: 0.15,
  validationFolds: 5,
  oosLabel: null,
  oosAsClass: true,
  inScopeAcceptance: 0.95,
  thresholdOosWeight: 1,
};

/** The serialised model (data/nlu/model.json). */
export interface IntentModelJson {
  format: 'rapport-intent-model';
  version: 1;
  labels: string[];
  oosLabel: string | null;
  features: FeatureOptions;
  temperature: number;
  threshold: number;
  bias: number[];
  vocabulary: string[];
  idf: number[];
  /** One row per vocabulary term, one column per label. */
  weights: number[][];
  training: TrainingReport;
}

export interface TrainingReport {
  algorithm: IntentClassifierOptions['algorithm'];
  examples: number;
  validationExamples: number;
  /** Validation accuracy over in-scope labels, before the threshold. */
  validationAccuracy: number;
  /** With the threshold: in-scope accuracy (None counts as wrong) and out-of-scope recall, when present. */
  validationAcceptedAccuracy: number;
  validationOosRecall: number | null;
  features: number;
}

export type TrainingProgress = (stage: string, done: number, total: number) => void;

/** Scores of one text over every trained label (out-of-scope label included). */
export interface ClassifierOutput {
  probabilities: Float64Array;
  /** Number of the text's terms found in the vocabulary; 0 means the model has nothing to go on. */
  knownTerms: number;
}

const PRECISION = 1e5;
const round = (x: number): number => Math.round(x * PRECISION) / PRECISION;

export class IntentClassifier {
  private readonly scratch: Float64Array;

  private constructor(
    readonly labels: string[],
    readonly oosLabel: string | null,
    private readonly vectorizer: TfidfVectorizer,
    private readonly model: LinearWeights,
    readonly temperature: number,
    readonly threshold: number,
    readonly report: TrainingReport,
  ) {
    this.scratch = new Float64Array(labels.length);
  }

  /** Labels that are real intents (the out-of-scope label removed). */
  get intentNames(): string[] {
    return this.labels.filter((label) => label !== this.oosLabel);
  }

  /** Trains a classifier; deterministic for the same examples and options. */
  static train(examples: LabelledText[], options: Partial<IntentClassifierOptions> = {}, progress?: TrainingProgress): IntentClassifier {
    const opts: IntentClassifierOptions = { ...DEFAULT_CLASSIFIER_OPTIONS, ...options };
    if (examples.length === 0) throw new Error('No training examples');
    const holdOutOos = opts.oosLabel !== null && !opts.oosAsClass;
    const labels = [...new Set(examples.map((e) => e.label))].filter((l) => !(holdOutOos && l === opts.oosLabel)).sort();
    if (labels.length < 2) throw new Error('At least two labels are needed to train');
    // Held-out out-of-scope examples get the index one past the labels: never a training target.
    const labelIndex = new Map(labels.map((label, i) => [label, i]));
    if (holdOutOos) labelIndex.set(opts.oosLabel as string, labels.length);
    const terms = examples.map((e, i) => {
      if (i % 500 === 0) progress?.('features', i, examples.length);
      return extractTerms(normalizeText(e.text), opts.features);
    });
    progress?.('features', examples.length, examples.length);
    const y = Int32Array.from(examples, (e) => labelIndex.get(e.label) ?? 0);
    const oosIndex = opts.oosLabel === null ? -1 : labelIndex.get(opts.oosLabel) ?? -1;

    const pick = <T>(all: T[], idx: Int32Array): T[] => Array.from(idx, (i) => all[i]);
    const isTrainable = (i: number): boolean => !(holdOutOos && y[i] === oosIndex);
    const folds = assignFolds(y, labels.length + (holdOutOos ? 1 : 0), opts.validationFolds, opts.validationFraction, opts.seed);
    const rounds = opts.validationFolds > 1 ? opts.validationFolds : 1;
    const stageTotal = rounds + 1;

    const fit = (idx: Int32Array, stage: string): { vectorizer: TfidfVectorizer; model: LinearWeights } => {
      const fitTerms = pick(terms, idx);
      const fitY = Int32Array.from(idx, (i) => y[i]);
      const vectorizer = TfidfVectorizer.fit(fitTerms, opts.features);
      const model = fitLinear(fitTerms.map((t) => vectorizer.transform(t)), fitY, labels.length, vectorizer.dimension, opts,
        (done, total) => progress?.(stage, done, total));
      return { vectorizer, model };
    };

    // Out-of-fold scores for every validation example, pooled over the rounds.
    const validScores: Float64Array[] = [];
    const validLabels: number[] = [];
    for (let f = 0; f < rounds; f++) {
      const trainIdx = Int32Array.from(Array.from(y.keys()).filter((i) => folds[i] !== f && isTrainable(i)));
      const validIdx = Int32Array.from(Array.from(y.keys()).filter((i) => folds[i] === f));
      if (validIdx.length === 0) continue;
      const { vectorizer, model } = fit(trainIdx, `train ${f + 1}/${stageTotal}`);
      for (const i of validIdx) {
        validScores.push(linearScores(model, labels.length, vectorizer.transform(terms[i]), new Float64Array(labels.length)));
        validLabels.push(y[i]);
      }
    }
    const validY = Int32Array.from(validLabels);
    const temperature = chooseTemperature(validScores, validY);
    const calibration = chooseThreshold(validScores, validY, temperature, oosIndex, opts.inScopeAcceptance, opts.thresholdOosWeight);
    const { vectorizer, model } = fit(Int32Array.from(Array.from(y.keys()).filter(isTrainable)), `train ${stageTotal}/${stageTotal}`);
    // Keep only what the JSON keeps, so a saved and reloaded model scores exactly like this one.
    for (const values of [model.weights, model.bias, vectorizer.idf]) for (let i = 0; i < values.length; i++) values[i] = round(values[i]);
    const report: TrainingReport = {
      algorithm: opts.algorithm,
      examples: examples.length,
      validationExamples: validY.length,
      validationAccuracy: round(calibration.accuracy),
      validationAcceptedAccuracy: round(calibration.acceptedAccuracy),
      validationOosRecall: calibration.oosRecall === null ? null : round(calibration.oosRecall),
      features: vectorizer.dimension,
    };
    return new IntentClassifier(labels, oosIndex >= 0 && !holdOutOos ? opts.oosLabel : null, vectorizer, model,
      round(temperature), round(calibration.threshold), report);
  }

  /** Rebuilds a classifier from {@link toJSON}'s output; scores are identical. */
  static fromJSON(json: IntentModelJson): IntentClassifier {
    if (json?.format !== 'rapport-intent-model' || json.version !== 1) throw new Error('Not a Rapport intent model (format/version)');
    const K = json.labels.length;
    const D = json.vocabulary.length;
    if (json.weights.length !== D || json.idf.length !== D || json.bias.length !== K) throw new Error('Intent model is inconsistent');
    const weights = new Float32Array(D * K);
    json.weights.forEach((row, f) => {
      if (row.length !== K) throw new Error(`Intent model row ${f} has ${row.length} weights, expected ${K}`);
      for (let k = 0; k < K; k++) weights[f * K + k] = row[k];
    });
    const vectorizer = new TfidfVectorizer(json.features, json.vocabulary, Float32Array.from(json.idf));
    return new IntentClassifier(json.labels, json.oosLabel, vectorizer, { weights, bias: Float32Array.from(json.bias) },
      json.temperature, json.threshold, json.training);
  }

  /** Serialises the model; weights are rounded so the file is compact and scores survive a round trip. */
  toJSON(): IntentModelJson {
    const K = this.labels.length;
    const weights: number[][] = this.vectorizer.vocabulary.map((_, f) =>
      Array.from(this.model.weights.subarray(f * K, f * K + K), round));
    return {
      format: 'rapport-intent-model',
      version: 1,
      labels: this.labels,
      oosLabel: this.oosLabel,
      features: this.vectorizer.options,
      temperature: this.temperature,
      threshold: this.threshold,
      bias: Array.from(this.model.bias, round),
      vocabulary: this.vectorizer.vocabulary,
      idf: Array.from(this.vectorizer.idf, round),
      weights,
      training: this.report,
    };
  }

  /** Probabilities over all labels for already normalised text. */
  classifyNormalized(normalized: string): ClassifierOutput {
    const x = this.vectorizer.transform(extractTerms(normalized, this.vectorizer.options));
    const scores = linearScores(this.model, this.labels.length, x, this.scratch);
    const probabilities = calibrated(scores, this.temperature);
    return { probabilities, knownTerms: x.indices.length };
  }
}

function fitLinear(vectors: SparseVector[], labels: Int32Array, classes: number, dimension: number,
  opts: IntentClassifierOptions, progress: (done: number, total: number) => void): LinearWeights {
  const set: TrainingSet = { vectors, labels, classes, dimension };
  if (opts.balanceClasses) {
    const counts = new Float64Array(classes);
    for (const label of labels) counts[label]++;
    set.sampleWeights = Float32Array.from(labels, (label) => labels.length / (classes * counts[label]));
  }
  const useSvm = opts.algorithm !== 'softmax';
  const useSoftmax = opts.algorithm !== 'svm';
  const total = (useSvm ? classes : 0) + (useSoftmax ? opts.softmax.epochs : 0);
  let svm: LinearWeights | null = null;
  let softmax: LinearWeights | null = null;
  if (useSvm) svm = trainSvm(set, { ...opts.svm, seed: opts.seed, onClass: (k) => progress(k, total) });
  const offset = useSvm ? classes : 0;
  if (useSoftmax) softmax = trainSoftmax(set, { ...opts.softmax, seed: opts.seed, onEpoch: (e) => progress(offset + e, total) });
  if (svm && softmax) {
    const a = opts.ensembleSvmWeight;
    for (let p = 0; p < softmax.weights.length; p++) softmax.weights[p] += a * svm.weights[p];
    for (let k = 0; k < classes; k++) softmax.bias[k] += a * svm.bias[k];
    return softmax;
  }
  return (svm ?? softmax) as LinearWeights;
}

function calibrated(scores: Float64Array, temperature: number): Float64Array {
  const out = new Float64Array(scores.length);
  for (let k = 0; k < scores.length; k++) out[k] = scores[k] / temperature;
  softmaxInPlace(out);
  return out;
}

/**
 * Stratified fold of each example. With `folds` > 1, examples of each label are dealt round-robin
 * into folds; otherwise about `fraction` of each label goes to fold 0 (validation, at least one
 * example of a label left to train) and the rest to fold -1.
 */
function assignFolds(y: Int32Array, classes: number, folds: number, fraction: number, seed: number): Int32Array {
  const order = shuffledIndices(y.length, createRandom(seed));
  const seen = new Int32Array(classes);
  const counts = new Int32Array(classes);
  for (const label of y) counts[label]++;
  const fold = new Int32Array(y.length);
  for (const i of order) {
    const label = y[i];
    if (folds > 1) fold[i] = seen[label] % folds;
    else fold[i] = seen[label] < Math.min(Math.round(counts[label] * fraction), counts[label] - 1) ? 0 : -1;
    seen[label]++;
  }
  return fold;
}

/** Temperature minimising the validation negative log-likelihood, on a log grid. */
function chooseTemperature(scores: Float64Array[], y: Int32Array): number {
  if (scores.length === 0) return 1;
  let best = 1;
  let bestNll = Infinity;
  for (let e = -40; e <= 20; e++) {
    const t = Math.pow(10, e / 20);
    let nll = 0;
    for (let i = 0; i < scores.length; i++) if (y[i] < scores[i].length) nll -= Math.log(Math.max(calibrated(scores[i], t)[y[i]], 1e-12));
    if (nll < bestNll) { bestNll = nll; best = t; }
  }
  return best;
}

interface Calibration { threshold: number; accuracy: number; acceptedAccuracy: number; oosRecall: number | null }

/**
 * Out-of-scope threshold on the best in-scope probability. With out-of-scope validation
 * examples it maximises the weighted mean of in-scope accuracy and out-of-scope recall
 * (`oosWeight` on the recall); without them
 * it accepts `acceptance` of the correctly classified validation texts.
 */
function chooseThreshold(scores: Float64Array[], y: Int32Array, temperature: number, oosIndex: number, acceptance: number, oosWeight: number): Calibration {
  const tops = scores.map((s) => {
    const p = calibrated(s, temperature);
    let best = -1;
    for (let k = 0; k < p.length; k++) if (k !== oosIndex && (best < 0 || p[k] > p[best])) best = k;
    const oosWins = oosIndex >= 0 && p[oosIndex] > p[best];
    return { best, score: oosWins ? -1 : p[best] };
  });
  const inScope = tops.map((t, i) => ({ ...t, label: y[i] })).filter((t) => t.label !== oosIndex);
  const oos = tops.filter((_, i) => y[i] === oosIndex);
  const accuracy = inScope.length ? inScope.filter((t) => t.best === t.label).length / inScope.length : 0;
  const evaluate = (thr: number): { acc: number; recall: number | null } => ({
    acc: inScope.length ? inScope.filter((t) => t.best === t.label && t.score >= thr).length / inScope.length : 0,
    recall: oos.length ? oos.filter((t) => t.score < thr).length / oos.length : null,
  });
  let threshold = 0;
  if (oos.length > 0) {
    let bestValue = -1;
    for (let step = 0; step <= 90; step++) {
      const thr = step / 100;
      const { acc, recall } = evaluate(thr);
      const value = (acc + oosWeight * (recall ?? 0)) / (1 + oosWeight);
      if (value > bestValue + 1e-9) { bestValue = value; threshold = thr; }
    }
  } else {
    const correct = inScope.filter((t) => t.best === t.label).map((t) => t.score).sort((a, b) => a - b);
    if (correct.length) threshold = correct[Math.floor((1 - acceptance) * correct.length)];
  }
  const final = evaluate(threshold);
  return { threshold, accuracy, acceptedAccuracy: final.acc, oosRecall: final.recall };
}
