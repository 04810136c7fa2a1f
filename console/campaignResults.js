/* global document, setTimeout, clearTimeout */
// Campaign detail: status and actions (pause / resume / cancel), the results (counts, CSAT and
// NPS charts, answers per choice, themes, breakdowns by tier and relationship manager) and the
// CSV export. Results refresh every 5 s while the browser tab is visible and answers can still
// arrive (running, paused, or recently completed: see isLive).
import { $, state, t, label, el, api, reportFailure, showError, formatNumber, formatPercent, formatDateTime, formatTime } from './common.js';
import { barChart, doughnutChart, destroyChart, OUTCOME_COLOURS } from './charts.js';
import { confirmAction } from './campaignForm.js';

export const POLL_MS = 5000;
/** How long after completing a campaign's results are still polled (late answers). */
const ANSWERS_WINDOW_DAYS = 7;
const RECIPIENT_STATES = ['pending', 'sending', 'sent', 'failed', 'unreachable', 'skipped', 'responded', 'opted_out'];
/** Which actions each status offers (the server answers 409 on any other). */
const ACTIONS_BY_STATUS = { draft: ['cancel'], running: ['pause', 'cancel'], paused: ['resume', 'cancel'], completed: [], cancelled: [] };

const view = { id: null, campaign: null, counts: null, results: null, timer: null, updatedAt: null };
const choiceCards = new Map();

// ---- header and actions ----

function renderHeader() {
  const c = view.campaign;
  $('campaign-title').textContent = c.name;
  $('campaign-status').textContent = label('status', c.status);
  $('campaign-status').dataset.status = c.status;
  const schedule = c.endAt ? t('results.scheduleUntil', { start: formatDateTime(c.startAt), end: formatDateTime(c.endAt) }) : t('results.scheduleFrom', { start: formatDateTime(c.startAt) });
  $('campaign-meta').textContent = [label('kind', c.kind), schedule, c.launchedAt ? t('results.launchedAt', { at: formatDateTime(c.launchedAt) }) : ''].filter(Boolean).join(' · ');
  $('campaign-csv').href = `/api/console/campaigns/${encodeURIComponent(c.id)}/responses.csv`;
  renderActions();
}

function renderActions() {
  const holder = $('campaign-actions');
  holder.replaceChildren();
  for (const action of ACTIONS_BY_STATUS[view.campaign.status] ?? []) {
    const node = el('button', t(`action.${action}`), action === 'cancel' ? 'danger' : action === 'resume' ? 'primary' : '');
    node.type = 'button';
    node.dataset.testid = `campaign-${action}`;
    node.addEventListener('click', () => runAction(action));
    holder.append(node);
  }
}

async function runAction(action) {
  if (action === 'cancel' && !(await confirmAction(t('action.confirmCancel', { name: view.campaign.name })))) return;
  try {
    const answer = await api('POST', `/api/console/campaigns/${encodeURIComponent(view.id)}/${action}`, {});
    if (answer.campaign) view.campaign = answer.campaign;
    renderHeader();
    await refresh();
  } catch (error) {
    if (error.status === 409) {
      showError(t('action.conflict', { message: error.message }));
      await refresh();
    } else reportFailure(error);
  }
}

// ---- results ----

function tile(key, value) {
  const node = el('div', undefined, 'tile');
  const figure = el('span', value, 'tile-value');
  figure.dataset.testid = `tile-${key}`;
  node.append(figure, el('span', t(`results.${key}`), 'tile-label'));
  return node;
}

function renderTiles(results) {
  const counts = view.counts ?? results?.counts ?? {};
  const total = Object.values(counts).reduce((sum, n) => sum + (Number(n) || 0), 0);
  $('results-tiles').replaceChildren(
    tile('recipients', formatNumber(total)),
    tile('sent', formatNumber(results?.sent ?? 0)),
    tile('delivered', formatNumber(results?.delivered ?? 0)),
    tile('responded', formatNumber(results?.responded ?? counts.responded ?? 0)),
    tile('responseRate', formatPercent(results?.responseRate ?? 0)),
  );
}

function renderCsat(csat) {
  const summary = $('csat-summary');
  const canvas = $('csat-chart');
  canvas.parentElement.hidden = !csat;
  if (!csat) {
    summary.textContent = t('results.noCsat');
    return;
  }
  summary.textContent = t('results.csatMean', { mean: formatNumber(csat.mean, 2), count: formatNumber(csat.count) });
  const scores = ['1', '2', '3', '4', '5'];
  barChart(canvas, scores, scores.map((s) => csat.distribution?.[s] ?? 0), { seriesLabel: t('results.answers') });
}

function renderNps(nps) {
  const summary = $('nps-summary');
  const canvas = $('nps-chart');
  canvas.parentElement.hidden = !nps;
  if (!nps) {
    summary.textContent = t('results.noNps');
    return;
  }
  summary.textContent = t('results.npsScore', {
    score: formatNumber(nps.score), promoters: formatNumber(nps.promoters), passives: formatNumber(nps.passives),
    detractors: formatNumber(nps.detractors), count: formatNumber(nps.count),
  });
  doughnutChart(canvas, [t('nps.promoters'), t('nps.passives'), t('nps.detractors')], [nps.promoters, nps.passives, nps.detractors],
    [OUTCOME_COLOURS.good, OUTCOME_COLOURS.middle, OUTCOME_COLOURS.bad]);
}

const inLanguage = (text) => (text ? text[state.lang] ?? text.en ?? text['zh-CN'] ?? '' : '');

/** One card per question, kept between refreshes so its chart is updated rather than redrawn. */
function choiceCard(questionId) {
  if (choiceCards.has(questionId)) return choiceCards.get(questionId);
  const card = el('section', undefined, 'card');
  card.dataset.questionId = questionId;
  const heading = el('h4');
  const chart = el('div', undefined, 'chart');
  const canvas = el('canvas');
  canvas.setAttribute('role', 'img');
  chart.append(canvas);
  const figures = el('ul', undefined, 'plain compact');
  card.append(heading, chart, figures);
  const parts = { card, heading, canvas, figures };
  choiceCards.set(questionId, parts);
  return parts;
}

function removeChoiceCard(questionId, parts) {
  destroyChart(parts.canvas);
  parts.card.remove();
  choiceCards.delete(questionId);
}

function renderChoices(questions) {
  const holder = $('choice-results');
  const shown = new Set();
  for (const question of questions ?? []) {
    const parts = choiceCard(question.questionId);
    shown.add(question.questionId);
    parts.heading.textContent = inLanguage(question.question);
    parts.canvas.setAttribute('aria-label', inLanguage(question.question));
    const labels = question.choices.map((c) => inLanguage(c.label));
    const counts = question.choices.map((c) => c.count);
    parts.figures.replaceChildren(...question.choices.map((c, i) => el('li', t('results.choiceCount', { choice: labels[i], count: formatNumber(c.count) }))));
    if (!parts.card.isConnected) holder.append(parts.card);
    barChart(parts.canvas, labels, counts, { seriesLabel: t('results.answers'), horizontal: true });
  }
  for (const [id, parts] of choiceCards) {
    if (!shown.has(id)) removeChoiceCard(id, parts);
  }
  $('choice-empty').hidden = shown.size > 0;
}

function renderThemes(themes) {
  const holder = $('themes');
  holder.replaceChildren();
  for (const lang of ['zh-CN', 'en']) {
    const card = el('section', undefined, 'card');
    card.dataset.language = lang;
    card.append(el('h4', label('language', lang)));
    const terms = themes?.[lang] ?? [];
    if (!terms.length) card.append(el('p', t('results.noThemes'), 'muted'));
    const listNode = el('ol', undefined, 'compact');
    for (const theme of terms) listNode.append(el('li', t('results.theme', { term: theme.term, count: formatNumber(theme.count) })));
    card.append(listNode);
    holder.append(card);
  }
}

function renderBreakdown(tableId, rows, nameOf, nameHeading) {
  const table = $(tableId);
  const headings = [nameHeading, t('results.delivered'), t('results.responded'), t('results.responseRate'), t('results.csatMeanShort'), t('results.npsShort')];
  table.querySelector('thead').replaceChildren(rowOf(headings, 'th'));
  const body = table.querySelector('tbody');
  body.replaceChildren();
  for (const row of rows ?? []) {
    body.append(rowOf([
      nameOf(row), formatNumber(row.delivered), formatNumber(row.responded),
      formatPercent(row.delivered ? row.responded / row.delivered : null), formatNumber(row.csatMean, 2), formatNumber(row.nps),
    ]));
  }
  if (!rows?.length) body.append(rowOf([t('results.noRows'), '', '', '', '', '']));
}

function rowOf(cells, tag = 'td') {
  const row = el('tr');
  for (const text of cells) row.append(el(tag, text));
  return row;
}

function renderRecipientStates() {
  const counts = view.counts ?? view.results?.counts ?? {};
  const table = $('recipient-states');
  table.querySelector('thead').replaceChildren(rowOf(RECIPIENT_STATES.map((s) => label('recipient', s)), 'th'));
  const values = rowOf(RECIPIENT_STATES.map((s) => formatNumber(counts[s] ?? 0)));
  RECIPIENT_STATES.forEach((s, i) => { values.children[i].dataset.state = s; });
  table.querySelector('tbody').replaceChildren(values);
}

function renderResults() {
  const results = view.results;
  renderTiles(results);
  renderCsat(results?.csat ?? null);
  renderNps(results?.nps ?? null);
  renderChoices(results?.choices);
  renderThemes(results?.themes);
  renderBreakdown('by-tier', results?.byTier, (row) => label('tier', row.tier), t('customers.tier'));
  renderBreakdown('by-manager', results?.byRelationshipManager, (row) => row.relationshipManager || t('results.noManager'), t('customers.manager'));
  renderRecipientStates();
  $('results-updated').textContent = view.updatedAt ? t('results.updatedAt', { at: formatTime(view.updatedAt.toISOString()) }) : '';
}

/** Reloads the campaign (its status may have moved) and its results. */
async function refresh() {
  const id = view.id;
  try {
    const [detail, results] = await Promise.all([
      api('GET', `/api/console/campaigns/${encodeURIComponent(id)}`),
      api('GET', `/api/console/campaigns/${encodeURIComponent(id)}/results`).catch((error) => {
        if (error.status === 401) throw error;
        return null; // results not available yet: the counts still show
      }),
    ]);
    if (view.id !== id) return;
    view.campaign = detail.campaign;
    view.counts = detail.counts ?? null;
    view.results = results;
    view.updatedAt = new Date();
    renderHeader();
    renderResults();
  } catch (error) {
    reportFailure(error);
  }
}

/**
 * Answers keep arriving after the last message went out, and a campaign completes as soon as
 * nothing is left to send; so results stay live while it runs or is paused, and for
 * {@link ANSWERS_WINDOW_DAYS} after it completed. Only while this browser tab is visible.
 */
function isLive(campaign) {
  if (!campaign) return false;
  if (campaign.status === 'running' || campaign.status === 'paused') return true;
  const completedAt = campaign.completedAt ? new Date(campaign.completedAt).getTime() : NaN;
  return campaign.status === 'completed' && Date.now() - completedAt < ANSWERS_WINDOW_DAYS * 86400000;
}

const shouldPoll = () => isLive(view.campaign) && document.visibilityState === 'visible';

function schedulePoll() {
  clearTimeout(view.timer);
  view.timer = setTimeout(async () => {
    if (!view.id) return;
    if (shouldPoll()) await refresh();
    if (view.id) schedulePoll();
  }, POLL_MS);
}

export function bindResults() {
  // Back in a hidden tab: catch up at once rather than wait for the next tick.
  document.addEventListener('visibilitychange', () => { if (view.id && shouldPoll()) refresh(); });
}

/** Shows a launched (or ended) campaign and keeps its results current. */
export async function showResults(campaign, counts) {
  stopResults();
  view.id = campaign.id;
  view.campaign = campaign;
  view.counts = counts ?? null;
  view.results = null;
  view.updatedAt = null;
  for (const [id, parts] of choiceCards) removeChoiceCard(id, parts);
  renderHeader();
  renderResults();
  await refresh();
  schedulePoll();
}

export function stopResults() {
  clearTimeout(view.timer);
  view.timer = null;
  view.id = null;
}

export function resultsLanguageChanged() {
  if (!view.campaign) return;
  renderHeader();
  renderResults();
}
