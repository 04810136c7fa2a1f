/**
 * Linear trainers over sparse vectors, in typed arrays. Weights are feature-major
 * (`weights[feature * classes + class]`) so scoring one text reads contiguous memory.
 */
import type { SparseVector } from './featureExtractor';

/** A seeded generator (mulberry32), so the same data and options give the same model. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffledIndices(n: number, random: () => number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i]; order[i] = order[j]; order[j] = t;
  }
  return order;
}

export interface LinearWeights {
  weights: Float32Array;
  bias: Float32Array;
}

export interface TrainingSet {
  vectors: SparseVector[];
  labels: Int32Array;
  classes: number;
  dimension: number;
  /** Per-example weight (class balancing); 1 when absent. */
  sampleWeights?: Float32Array;
}

export interface SoftmaxOptions {
  epochs: number;
  learningRate: number;
  /** L2 penalty, applied as weight decay on the features an example touches. */
  l2: number;
  seed: number;
  onEpoch?: (epoch: number) => void;
}

/**
 * Multinomial logistic regression by averaged SGD (Polyak–Ruppert averaging, with the
 * running-sum trick so each step only touches the example's features).
 */
export function trainSoftmax(set: TrainingSet, options: SoftmaxOptions): LinearWeights {
  const { vectors, labels, classes: K, dimension: D } = set;
  const w = new Float64Array(D * K);
  const u = new Float64Array(D * K);
  const b = new Float64Array(K);
  const ub = new Float64Array(K);
  const scores = new Float64Array(K);
  const random = createRandom(options.seed);
  let t = 1;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const order = shuffledIndices(vectors.length, random);
    for (let o = 0; o < order.length; o++) {
      const i = order[o];
      const { indices, values } = vectors[i];
      const nnz = indices.length;
      for (let k = 0; k < K; k++) scores[k] = b[k];
      for (let j = 0; j < nnz; j++) {
        const base = indices[j] * K;
        const v = values[j];
        for (let k = 0; k < K; k++) scores[k] += w[base + k] * v;
      }
      softmaxInPlace(scores);
      const y = labels[i];
      const lr = options.learningRate * (set.sampleWeights ? set.sampleWeights[i] : 1);
      scores[y] -= 1;
      for (let k = 0; k < K; k++) {
        const g = scores[k];
        if (g > -1e-5 && g < 1e-5) continue;
        const step = lr * g;
        b[k] -= step; ub[k] -= t * step;
        for (let j = 0; j < nnz; j++) {
          const p = indices[j] * K + k;
          const d = step * values[j] + (options.l2 > 0 ? lr * options.l2 * w[p] : 0);
          w[p] -= d; u[p] -= t * d;
        }
      }
      t++;
    }
    options.onEpoch?.(epoch + 1);
  }
  const weights = new Float32Array(D * K);
  for (let p = 0; p < weights.length; p++) weights[p] = w[p] - u[p] / t;
  const bias = new Float32Array(K);
  for (let k = 0; k < K; k++) bias[k] = b[k] - ub[k] / t;
  return { weights, bias };
}

export interface SvmOptions {
  epochs: number;
  /** Inverse regularisation strength, as in liblinear. */
  c: number;
  seed: number;
  /** liblinear-style shrinking of the active set (faster; up to 3 × `epochs` passes over the active examples). */
  shrinking?: boolean;
  onClass?: (k: number) => void;
}

/**
 * One-vs-rest linear SVM with squared hinge loss, by dual coordinate descent
 * (Hsieh et al. 2008, liblinear's default solver), with the bias as an extra unit feature.
 */
export function trainSvm(set: TrainingSet, options: SvmOptions): LinearWeights {
  const { vectors, labels, classes: K, dimension: D } = set;
  const n = vectors.length;
  const weights = new Float32Array(D * K);
  const bias = new Float32Array(K);
  const w = new Float64Array(D);
  const alpha = new Float64Array(n);
  const qii = new Float64Array(n);
  const diag = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = options.c * (set.sampleWeights ? set.sampleWeights[i] : 1);
    diag[i] = 1 / (2 * c);
    let sq = 1;
    for (const v of vectors[i].values) sq += v * v;
    qii[i] = sq + diag[i];
  }
  const random = createRandom(options.seed);
  const active = new Int32Array(n);
  for (let k = 0; k < K; k++) {
    w.fill(0);
    alpha.fill(0);
    let bk = 0;
    if (options.shrinking) {
      // liblinear's shrinking: an example whose alpha sits at 0 with a gradient above last pass's
      // largest projected gradient leaves the active set; on convergence all are checked once more.
      // (Squared hinge has no upper bound on alpha, so only the lower side shrinks.)
      let activeSize = n;
      for (let i = 0; i < n; i++) active[i] = i;
      let pgMaxOld = Infinity;
      for (let epoch = 0; epoch < options.epochs * 3; epoch++) {
        for (let i = activeSize - 1; i > 0; i--) {
          const j = Math.floor(random() * (i + 1));
          const t = active[i]; active[i] = active[j]; active[j] = t;
        }
        let pgMax = -Infinity;
        let pgMin = Infinity;
        for (let s = 0; s < activeSize; s++) {
          const i = active[s];
          const { indices, values } = vectors[i];
          const yi = labels[i] === k ? 1 : -1;
          let dot = bk;
          for (let j = 0; j < indices.length; j++) dot += w[indices[j]] * values[j];
          const g = yi * dot - 1 + alpha[i] * diag[i];
          let pg = g;
          if (alpha[i] === 0) {
            if (g > pgMaxOld) {
              activeSize--;
              active[s] = active[activeSize]; active[activeSize] = i;
              s--;
              continue;
            }
            if (g > 0) pg = 0;
          }
          if (pg > pgMax) pgMax = pg;
          if (pg < pgMin) pgMin = pg;
          if (pg === 0) continue;
          const old = alpha[i];
          alpha[i] = Math.max(old - g / qii[i], 0);
          const d = (alpha[i] - old) * yi;
          for (let j = 0; j < indices.length; j++) w[indices[j]] += d * values[j];
          bk += d;
        }
        if (pgMax - pgMin <= 1e-2) {
          if (activeSize === n) break;
          activeSize = n;
          pgMaxOld = Infinity;
          continue;
        }
        pgMaxOld = pgMax <= 0 ? Infinity : pgMax;
      }
    } else {
      for (let epoch = 0; epoch < options.epochs; epoch++) {
        const order = shuffledIndices(n, random);
        let maxPg = 0;
        for (let o = 0; o < n; o++) {
          const i = order[o];
          const { indices, values } = vectors[i];
          const yi = labels[i] === k ? 1 : -1;
          let dot = bk;
          for (let j = 0; j < indices.length; j++) dot += w[indices[j]] * values[j];
          const g = yi * dot - 1 + alpha[i] * diag[i];
          const pg = alpha[i] === 0 ? Math.min(g, 0) : g;
          if (pg === 0) continue;
          if (Math.abs(pg) > maxPg) maxPg = Math.abs(pg);
          const old = alpha[i];
          alpha[i] = Math.max(old - g / qii[i], 0);
          const d = (alpha[i] - old) * yi;
          for (let j = 0; j < indices.length; j++) w[indices[j]] += d * values[j];
          bk += d;
        }
        if (maxPg < 1e-3) break;
      }
    }
    for (let f = 0; f < D; f++) weights[f * K + k] = w[f];
    bias[k] = bk;
    options.onClass?.(k + 1);
  }
  return { weights, bias };
}

/** Replaces scores by their softmax, stably. */
export function softmaxInPlace(scores: Float64Array | number[]): void {
  let max = -Infinity;
  for (let k = 0; k < scores.length; k++) if (scores[k] > max) max = scores[k];
  let sum = 0;
  for (let k = 0; k < scores.length; k++) { const e = Math.exp(scores[k] - max); scores[k] = e; sum += e; }
  for (let k = 0; k < scores.length; k++) scores[k] /= sum;
}

/** Raw linear scores of one vector. */
export function linearScores(model: LinearWeights, classes: number, x: SparseVector, out: Float64Array): Float64Array {
  for (let k = 0; k < classes; k++) out[k] = model.bias[k];
  const { indices, values } = x;
  for (let j = 0; j < indices.length; j++) {
    const base = indices[j] * classes;
    const v = values[j];
    for (let k = 0; k < classes; k++) out[k] += model.weights[base + k] * v;
  }
  return out;
}
