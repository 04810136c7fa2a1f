/* global URLSearchParams */
// Dashboard (supervisors): CSAT and NPS by week, complaints by category and by SLA status,
// callbacks booked / kept / missed, the inquiry helpful rate and the top unanswered questions,
// for a date range (default: the last 12 weeks).
import { $, state, t, label, el, api, reportFailure, formatNumber, formatPercent, wallInputValue, instantFromWallInput } from './common.js';
import { barChart, lineChart, doughnutChart, OUTCOME_COLOURS, PALETTE } from './charts.js';

const DEFAULT_WEEKS = 12;
/** `rangeSet`: the default range is set on the first show, once the session has given the bank's time zone. */
const board = { data: null, rangeSet: false };

/** A date input's value for an instant: its day in the bank's time zone. */
const dateInput = (d) => wallInputValue(d.toISOString()).slice(0, 10);

function setDefaultRange() {
  const to = new Date();
  const from = new Date(to.getTime() - DEFAULT_WEEKS * 7 * 86400000);
  $('dash-from').value = dateInput(from);
  $('dash-to').value = dateInput(to);
}

/** The range as ISO instants: from the start of the first day to the end of the last, in the bank's time zone. */
function rangeQuery() {
  const from = instantFromWallInput(`${$('dash-from').value}T00:00`);
  const to = new Date(new Date(instantFromWallInput(`${$('dash-to').value}T23:59:59`)).getTime() + 999).toISOString();
  return new URLSearchParams({ from, to });
}

function figures(listId, entries) {
  $(listId).replaceChildren(...entries.map(([name, value]) => el('li', t('dashboard.figure', { name, value }))));
}

/** The newest week that had answers (weeks without any have a null figure). */
const latestAnswered = (points) => points.filter((p) => p.count > 0).at(-1);

function renderCsat(points) {
  lineChart($('dash-csat'), points.map((p) => p.week), points.map((p) => p.mean), { seriesLabel: t('dashboard.csatMean'), range: [1, 5] });
  const last = latestAnswered(points);
  $('dash-csat-text').textContent = last
    ? t('dashboard.latestCsat', { week: last.week, mean: formatNumber(last.mean, 2), count: formatNumber(last.count) })
    : t('dashboard.noData');
}

function renderNps(points) {
  lineChart($('dash-nps'), points.map((p) => p.week), points.map((p) => p.score), { seriesLabel: t('dashboard.nps'), range: [-100, 100] });
  const last = latestAnswered(points);
  $('dash-nps-text').textContent = last
    ? t('dashboard.latestNps', { week: last.week, score: formatNumber(last.score), count: formatNumber(last.count) })
    : t('dashboard.noData');
}

function renderComplaints(byCategory) {
  const names = byCategory.map((c) => label('category', c.category));
  barChart($('dash-complaints'), names, byCategory.map((c) => c.count), { seriesLabel: t('dashboard.complaints'), colours: PALETTE, horizontal: true });
  figures('dash-complaints-text', byCategory.map((c, i) => [names[i], formatNumber(c.count)]));
}

function renderSla(sla) {
  const parts = [['onTime', OUTCOME_COLOURS.good], ['atRisk', OUTCOME_COLOURS.middle], ['breached', OUTCOME_COLOURS.bad]];
  const names = parts.map(([key]) => t(`sla.${key}`));
  doughnutChart($('dash-sla'), names, parts.map(([key]) => sla?.[key] ?? 0), parts.map(([, colour]) => colour));
  figures('dash-sla-text', parts.map(([key], i) => [names[i], formatNumber(sla?.[key] ?? 0)]));
}

function renderCallbacks(callbacks) {
  const parts = [['booked', PALETTE[2]], ['kept', OUTCOME_COLOURS.good], ['missed', OUTCOME_COLOURS.bad]];
  const names = parts.map(([key]) => t(`callbacks.${key}`));
  barChart($('dash-callbacks'), names, parts.map(([key]) => callbacks?.[key] ?? 0), { seriesLabel: t('dashboard.callbacks'), colours: parts.map(([, colour]) => colour) });
  figures('dash-callbacks-text', parts.map(([key], i) => [names[i], formatNumber(callbacks?.[key] ?? 0)]));
}

function renderHelpful(helpful) {
  const answered = (helpful?.helpful ?? 0) + (helpful?.notHelpful ?? 0);
  $('dash-helpful').textContent = answered ? formatPercent(helpful.rate) : t('none');
  $('dash-helpful-detail').textContent = t('dashboard.helpfulDetail', { helpful: formatNumber(helpful?.helpful ?? 0), notHelpful: formatNumber(helpful?.notHelpful ?? 0) });
}

function renderUnanswered(questions) {
  $('dash-unanswered').replaceChildren(...questions.map((q) => el('li', t('dashboard.unanswered', { question: q.question, count: formatNumber(q.count) }))));
  $('dash-unanswered-empty').hidden = questions.length > 0;
}

function render() {
  const d = board.data;
  if (!d) return;
  renderCsat(d.csatOverTime ?? []);
  renderNps(d.npsOverTime ?? []);
  renderComplaints(d.complaintsByCategory ?? []);
  renderSla(d.complaintsBySla);
  renderCallbacks(d.callbacks);
  renderHelpful(d.inquiryHelpful);
  renderUnanswered(d.topUnanswered ?? []);
}

async function load() {
  try {
    board.data = await api('GET', `/api/console/dashboard?${rangeQuery()}`);
    render();
  } catch (error) {
    reportFailure(error);
  }
}

export const dashboardPage = {
  needsSupervisor: true,

  bind() {
    $('dashboard-range').addEventListener('submit', (event) => { event.preventDefault(); load(); });
  },

  show() {
    if (!board.rangeSet) {
      setDefaultRange();
      board.rangeSet = true;
    }
    return load();
  },

  hide() {},

  languageChanged() {
    if (state.me) render();
  },
};
