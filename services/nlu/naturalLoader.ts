/**
 * Loads the few parts of `natural` that Rapport uses, without natural's import side effects.
 *
 * `require('natural')` pulls in every submodule, including `util/storage/*`, which call
 * `require('dotenv').config()`: that reads `./.env` into `process.env` and prints an
 * "injected env" banner to stdout. Rapport's config module must stay the only reader of
 * the environment and nothing may print on import, so we require the leaf modules we need
 * directly from natural's `lib/natural` folders; none of them reaches `util/storage` or
 * dotenv (test/unit/nlu/naturalLoader.test.ts checks this in a child process).
 */
import { createRequire } from 'node:module';
import path from 'node:path';

const requireFromHere = createRequire(__filename);
/** natural has no `exports` map, so its files can be required by path from its package root. */
const naturalRoot = path.join(path.dirname(requireFromHere.resolve('natural/package.json')), 'lib', 'natural');

function requireNatural<T>(relativePath: string): T {
  return requireFromHere(path.join(naturalRoot, relativePath)) as T;
}

/** natural's English tokenizer: splits on anything but letters, digits, `'`, `-` and `/`. */
export interface NaturalTokenizer {
  tokenize(text: string): string[];
}

/** natural's Porter stemmer. */
export interface NaturalStemmer {
  stem(token: string): string;
  tokenizeAndStem(text: string, keepStops?: boolean): string[];
}

/** The part of natural's classifier API the benchmark uses (Bayes and logistic regression). */
export interface NaturalClassifier {
  addDocument(text: string | string[], label: string): void;
  train(): void;
  classify(observation: string | string[]): string;
}

export type NaturalClassifierConstructor = new (stemmer?: NaturalStemmer) => NaturalClassifier;

type TokenizerConstructor = new () => NaturalTokenizer;

const AggressiveTokenizer = requireNatural<TokenizerConstructor>('tokenizers/aggressive_tokenizer.js');

/** natural's Porter stemmer, loaded without side effects. */
export const PorterStemmer = requireNatural<NaturalStemmer>('stemmers/porter_stemmer.js');

/** A new natural `AggressiveTokenizer` (natural's default English word tokenizer). */
export function createWordTokenizer(): NaturalTokenizer {
  return new AggressiveTokenizer();
}

/** natural's `BayesClassifier`, loaded on demand (only the benchmark needs it). */
export function loadBayesClassifier(): NaturalClassifierConstructor {
  return requireNatural<NaturalClassifierConstructor>('classifiers/bayes_classifier.js');
}

/** natural's `LogisticRegressionClassifier`, loaded on demand (only the benchmark needs it). */
export function loadLogisticRegressionClassifier(): NaturalClassifierConstructor {
  return requireNatural<NaturalClassifierConstructor>('classifiers/logistic_regression_classifier.js');
}
