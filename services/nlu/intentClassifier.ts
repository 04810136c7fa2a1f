/**
 * Rapport's intent classifier: TF-IDF word and character n-grams (see featureExtractor.ts)
 * into a linear model, with softmax probabilities calibrated by a temperature and an
 * out-of-scope threshold, both chosen on a validation split cut from the training data.
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
  svm: { epochs: number; c: number };
  softmax: { epochs: number; learningRate: number; l2: number };
  /** Weight of the SVM scores when added to the softmax logits in 'ensemble'. */
  ensembleSvmWeight: number;
  /** Weight examples inversely to their class frequency. */
  balanceClasses: boolean;
  seed: number;
  /** Share of the training data held out (stratified) to choose the temperature and threshold. */
  validationFraction: number;
  /** Retrain on all the data once the temperature and threshold are chosen. */
  refit: boolean;
  /** A training label that means "out of scope"; never reported as an intent. */
  oosLabel: string | null;
  /**
   * Learn the out-of-scope label as a class (true), or keep its examples out of training and
   * use them only to choose the threshold (false).
   */
  oosAsClass: boolean;
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
  refit: true,
  oosLabel: null,
  oosAsClass: true,
  inScopeAcceptance: 0.95,
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

    const split = stratifiedSplit(y, labels.length + (holdOutOos ? 1 : 0), opts.validationFraction, opts.seed);
    const trainIdx = holdOutOos ? split.trainIdx.filter((i) => y[i] !== oosIndex) : split.trainIdx;
    const validIdx = holdOutOos ? Int32Array.from(Array.from(y.keys()).filter((i) => y[i] === oosIndex || split.validIdx.includes(i))) : split.validIdx;
    const fitIdx = holdOutOos ? Int32Array.from(Array.from(y.keys()).filter((i) => y[i] !== oosIndex)) : null;
    const pick = <T>(all: T[], idx: Int32Array): T[] => Array.from(idx, (i) => all[i]);
    const stageTotal = opts.refit ? 2 : 1;

    const firstVectorizer = TfidfVectorizer.fit(pick(terms, trainIdx), opts.features);
    const firstModel = fitLinear(
      pick(terms, trainIdx).map((t) => firstVectorizer.transform(t)), Int32Array.from(trainIdx, (i) => y[i]),
      labels.length, firstVectorizer.dimension, opts, (done, total) => progress?.(`train 1/${stageTotal}`, done, total),
    );
    const validVectors = pick(terms, validIdx).map((t) => firstVectorizer.transform(t));
    const validY = Int32Array.from(validIdx, (i) => y[i]);
    const validScores = validVectors.map((x) => linearScores(firstModel, labels.length, x, new Float64Array(labels.length)));
    const temperature = chooseTemperature(validScores, validY);
    const calibration = chooseThreshold(validScores, validY, temperature, oosIndex, opts.inScopeAcceptance);

    let vectorizer = firstVectorizer;
    let model = firstModel;
    if (opts.refit || validIdx.length === 0) {
      const fitTerms = fitIdx ? pick(terms, fitIdx) : terms;
      vectorizer = TfidfVectorizer.fit(fitTerms, opts.features);
      model = fitLinear(fitTerms.map((t) => vectorizer.transform(t)), fitIdx ? Int32Array.from(fitIdx, (i) => y[i]) : y,
        labels.length, vectorizer.dimension, opts,
        (done, total) => progress?.(`train ${stageTotal}/${stageTotal}`, done, total));
    }
    const report: TrainingReport = {
      algorithm: opts.algorithm,
      examples: examples.length,
      validationExamples: validIdx.length,
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

/** Stratified split: about `fraction` of each label to validation, at least one example left to train. */
function stratifiedSplit(y: Int32Array, classes: number, fraction: number, seed: number): { trainIdx: Int32Array; validIdx: Int32Array } {
  const order = shuffledIndices(y.length, createRandom(seed));
  const seen = new Int32Array(classes);
  const counts = new Int32Array(classes);
  for (const label of y) counts[label]++;
  const train: number[] = [];
  const valid: number[] = [];
  for (const i of order) {
    const label = y[i];
    const quota = Math.min(Math.round(counts[label] * fraction), counts[label] - 1);
    if (seen[label] < quota) { valid.push(i); seen[label]++; } else train.push(i);
  }
  return { trainIdx: Int32Array.from(train.sort((a, b) => a - b)), validIdx: Int32Array.from(valid.sort((a, b) => a - b)) };
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
 * examples it maximises the mean of in-scope accuracy and out-of-scope recall; without them
 * it accepts `acceptance` of the correctly classified validation texts.
 */
function chooseThreshold(scores: Float64Array[], y: Int32Array, temperature: number, oosIndex: number, acceptance: number): Calibration {
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
      const value = (acc + (recall ?? 0)) / 2;
      if (value > bestValue + 1e-9) { bestValue = value; threshold = thr; }
    }
  } else {
    const correct = inScope.filter((t) => t.best === t.label).map((t) => t.score).sort((a, b) => a - b);
    if (correct.length) threshold = correct[Math.floor((1 - acceptance) * correct.length)];
  }
  const final = evaluate(threshold);
  return { threshold, accuracy, acceptedAccuracy: final.acc, oosRecall: final.recall };
}
