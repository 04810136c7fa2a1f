// Thin wrapper over Chart.js (served locally at /console/vendor/chart.umd.js as the global `Chart`).
// One chart per canvas, updated in place on refresh (no flicker while results are polled).
// Every chart also has its figures as text next to it, so the page works (and reads) without it.

const charts = new WeakMap();
const BRAND = '#B4232A';
const PALETTE = ['#B4232A', '#D9822B', '#2B7BB9', '#0F9960', '#8F398F', '#5C7080', '#C7A500', '#1F4B99'];

/** Colours of the NPS groups and of the three SLA/callback outcomes (good, middle, bad). */
export const OUTCOME_COLOURS = { good: '#0F9960', middle: '#D9822B', bad: '#B4232A' };

function chartLibrary() {
  return globalThis.Chart;
}

function draw(canvas, config) {
  const Chart = chartLibrary();
  if (!Chart || !canvas) return;
  const existing = charts.get(canvas);
  if (existing && existing.config.type === config.type) {
    existing.data.labels = config.data.labels;
    existing.data.datasets = config.data.datasets;
    existing.options = config.options;
    existing.update('none');
    return;
  }
  existing?.destroy();
  charts.set(canvas, new Chart(canvas, config));
}

const baseOptions = (extra = {}) => ({
  responsive: true, maintainAspectRatio: false, animation: false,
  plugins: { legend: { display: false } },
  ...extra,
});

/** Frees a chart whose canvas leaves the page (Chart.js keeps every live chart in a registry). */
export function destroyChart(canvas) {
  charts.get(canvas)?.destroy();
  charts.delete(canvas);
}

/** A bar chart of one series. `options.horizontal` lays the bars out sideways (long labels). */
export function barChart(canvas, labels, values, { seriesLabel = '', colours, horizontal = false, integer = true } = {}) {
  const valueAxis = { beginAtZero: true, ticks: integer ? { precision: 0 } : {} };
  draw(canvas, {
    type: 'bar',
    data: { labels, datasets: [{ label: seriesLabel, data: values, backgroundColor: colours ?? BRAND }] },
    options: baseOptions({ indexAxis: horizontal ? 'y' : 'x', scales: horizontal ? { x: valueAxis } : { y: valueAxis } }),
  });
}

/** A doughnut of parts of a whole (e.g. promoters / passives / detractors). */
export function doughnutChart(canvas, labels, values, colours = PALETTE) {
  draw(canvas, {
    type: 'doughnut',
    data: { labels, datasets: [{ data: values, backgroundColor: colours }] },
    options: baseOptions({ plugins: { legend: { display: true, position: 'right' } } }),
  });
}

/** A line over time; `range` fixes the value axis (e.g. 1..5 for CSAT, -100..100 for NPS). */
export function lineChart(canvas, labels, values, { seriesLabel = '', range } = {}) {
  draw(canvas, {
    type: 'line',
    data: { labels, datasets: [{ label: seriesLabel, data: values, borderColor: BRAND, backgroundColor: BRAND, tension: 0.2, spanGaps: true }] },
    options: baseOptions({ scales: { y: range ? { min: range[0], max: range[1] } : { beginAtZero: true } } }),
  });
}

export { PALETTE };
