/**
 * Scores predictions against gold labels: accuracy, macro-F1, the most confused pairs,
 * out-of-scope precision/recall and latency percentiles. Shared by nlu:eval and the benchmark.
 */

export interface Evaluation {
  examples: number;
  accuracy: number;
  macroF1: number;
  confusedPairs: { gold: string; predicted: string; count: number }[];
  oos: { label: string; precision: number; recall: number; support: number } | null;
  latencyMs: { p50: number; p99: number } | null;
}

/** Value at percentile `p` (0–100) of unsorted numbers, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function evaluate(gold: string[], predicted: string[], latencies: number[] = [], oosLabel?: string): Evaluation {
  const labels = [...new Set(gold)].sort();
  let correct = 0;
  const pairs = new Map<string, number>();
  const tp = new Map<string, number>();
  const predCount = new Map<string, number>();
  const goldCount = new Map<string, number>();
  gold.forEach((g, i) => {
    const p = predicted[i];
    goldCount.set(g, (goldCount.get(g) ?? 0) + 1);
    predCount.set(p, (predCount.get(p) ?? 0) + 1);
    if (g === p) { correct++; tp.set(g, (tp.get(g) ?? 0) + 1); } else {
      const key = `${g}\u0000${p}`;
      pairs.set(key, (pairs.get(key) ?? 0) + 1);
    }
  });
  const f1s = labels.map((label) => {
    const t = tp.get(label) ?? 0;
    const precision = t / Math.max(predCount.get(label) ?? 0, 1);
    const recall = t / Math.max(goldCount.get(label) ?? 0, 1);
    return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  });
  const confusedPairs = [...pairs.entries()]
    .map(([key, count]) => { const [g, p] = key.split('\u0000'); return { gold: g, predicted: p, count }; })
    .sort((a, b) => b.count - a.count || a.gold.localeCompare(b.gold) || a.predicted.localeCompare(b.predicted))
    .slice(0, 10);
  let oos: Evaluation['oos'] = null;
  if (oosLabel !== undefined && goldCount.has(oosLabel)) {
    const t = tp.get(oosLabel) ?? 0;
    oos = { label: oosLabel, precision: t / Math.max(predCount.get(oosLabel) ?? 0, 1), recall: t / (goldCount.get(oosLabel) ?? 1), support: goldCount.get(oosLabel) ?? 0 };
  }
  return {
    examples: gold.length,
    accuracy: gold.length ? correct / gold.length : 0,
    macroF1: f1s.length ? f1s.reduce((a, b) => a + b, 0) / f1s.length : 0,
    confusedPairs,
    oos,
    latencyMs: latencies.length ? { p50: percentile(latencies, 50), p99: percentile(latencies, 99) } : null,
  };
}

export function formatEvaluation(e: Evaluation): string {
  const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
  const lines = [`examples ${e.examples}`, `accuracy ${pct(e.accuracy)}`, `macro-F1 ${pct(e.macroF1)}`];
  if (e.oos) lines.push(`out-of-scope (${e.oos.label}, ${e.oos.support} rows): precision ${pct(e.oos.precision)}, recall ${pct(e.oos.recall)}`);
  if (e.latencyMs) lines.push(`latency p50 ${e.latencyMs.p50.toFixed(3)} ms, p99 ${e.latencyMs.p99.toFixed(3)} ms`);
  lines.push('most confused intents, before the threshold (gold → predicted):');
  for (const p of e.confusedPairs) lines.push(`  ${String(p.count).padStart(4)}  ${p.gold} → ${p.predicted}`);
  return lines.join('\n');
}
