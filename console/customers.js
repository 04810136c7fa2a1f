/* global URLSearchParams */
// Customers page: a searchable, sortable, paged list (churn risk first) and a customer's profile
// with consent, the churn-risk score and its signals, linked chat users and a form to link one.
import { $, state, t, label, el, api, reportFailure, formatDate, formatDateTime, formatNumber, cell, renderFields, loadPage, renderPager, bindPager, bindSearch } from './common.js';

const PAGE_SIZE = 25;
/** Churn-risk score (0-100) bands: below 30 low, below 60 medium, else high. */
const CHURN_BANDS = [{ below: 30, band: 'low' }, { below: 60, band: 'medium' }, { below: Infinity, band: 'high' }];
/** Columns listed first from the highest value when first clicked (numbers and dates); the others A→Z. */
const DESCENDING_FIRST = new Set(['churnRisk', 'lastContactAt']);

const list = { q: '', sort: 'churnRisk', order: 'desc', offset: 0, items: [], total: 0, loaded: false };
const profile = { id: null, data: null };

export function churnBand(score) {
  return CHURN_BANDS.find((b) => score < b.below).band;
}

/** The churn score as a number in a coloured badge (the band is also said in words for screen readers). */
export function churnBadge(score) {
  if (score === undefined || score === null) return el('span', t('none'), 'muted');
  const band = churnBand(score);
  const badge = el('span', formatNumber(score), `churn churn-${band}`);
  badge.title = t(`churn.band.${band}`);
  badge.setAttribute('aria-label', `${formatNumber(score)} (${t(`churn.band.${band}`)})`);
  badge.dataset.band = band;
  return badge;
}

function customerLink(customer) {
  const link = el('a', customer.name || customer.company || customer.externalId || t('customers.unnamed'));
  link.href = `#/customers/${encodeURIComponent(customer.id)}`;
  return link;
}

function renderList() {
  const body = $('customer-table').querySelector('tbody');
  body.replaceChildren();
  for (const customer of list.items) {
    const row = el('tr');
    row.dataset.customerId = customer.id;
    row.append(
      cell(customerLink(customer)),
      cell(customer.company),
      cell(label('tier', customer.tier)),
      cell(customer.relationshipManager),
      cell(formatDate(customer.lastContactAt)),
      cell(churnBadge(customer.churnRisk)),
    );
    body.append(row);
  }
  $('customer-empty').hidden = !list.loaded || list.items.length > 0;
  renderSortMarks();
  renderPager('customer', list, PAGE_SIZE);
}

function renderSortMarks() {
  for (const th of $('customer-table').querySelectorAll('th[data-sort]')) {
    const active = th.dataset.sort === list.sort;
    th.setAttribute('aria-sort', active ? (list.order === 'asc' ? 'ascending' : 'descending') : 'none');
    th.querySelector('.sort-mark').textContent = active ? (list.order === 'asc' ? ' ▲' : ' ▼') : '';
  }
}

function loadList() {
  const query = new URLSearchParams({ q: list.q, sort: list.sort, order: list.order, offset: String(list.offset), limit: String(PAGE_SIZE) });
  return loadPage(list, `/api/console/customers?${query}`, renderList);
}

function sortBy(column) {
  if (list.sort === column) list.order = list.order === 'asc' ? 'desc' : 'asc';
  else {
    list.sort = column;
    list.order = DESCENDING_FIRST.has(column) ? 'desc' : 'asc';
  }
  list.offset = 0;
  renderSortMarks();
  loadList();
}

// ---- profile ----

function consentText(consent) {
  if (!consent) return t('none');
  const parts = [];
  if (consent.surveys) parts.push(t('consent.surveys'));
  if (consent.marketing) parts.push(t('consent.marketing'));
  return parts.length ? parts.join(t('listSeparator')) : t('consent.none');
}

function renderCustomerFields(customer) {
  const rows = [
    ['customer.name', customer.name],
    ['customer.company', customer.company],
    ['customer.externalId', customer.externalId],
    ['customer.tier', label('tier', customer.tier)],
    ['customer.manager', customer.relationshipManager],
    ['customer.language', customer.language ? label('language', customer.language) : undefined],
    ['customer.email', customer.email],
    ['customer.phone', customer.phone],
    ['customer.tags', (customer.tags ?? []).join(t('listSeparator'))],
    ['customer.consent', consentText(customer.consent)],
    ['customer.optedOut', customer.optedOutAt ? formatDateTime(customer.optedOutAt) : undefined],
    ['customer.lastContact', customer.lastContactAt ? formatDateTime(customer.lastContactAt) : undefined],
  ];
  const shown = rows.filter(([key, value]) => key !== 'customer.optedOut' || value);
  renderFields($('customer-fields'), shown.map(([key, value]) => [key.slice('customer.'.length), t(key), value]));
}

function renderChurn(churn) {
  const summary = $('churn-summary');
  summary.replaceChildren();
  const body = $('churn-signals').querySelector('tbody');
  body.replaceChildren();
  $('churn-signals').hidden = !churn || !churn.signals?.length;
  if (!churn) {
    summary.textContent = t('churn.notComputed');
    return;
  }
  summary.append(el('span', `${t('churn.score')} `), churnBadge(churn.score), el('span', ` ${t('churn.computedAt', { at: formatDateTime(churn.computedAt) })}`, 'muted'));
  for (const signal of churn.signals ?? []) {
    const row = el('tr');
    row.dataset.code = signal.code;
    row.append(cell(label('churn.signal', signal.code)), cell(`+${formatNumber(signal.points)}`), cell(signal.detail));
    body.append(row);
  }
}

function renderLinks(channelUsers) {
  const links = $('customer-links');
  links.replaceChildren();
  for (const user of channelUsers ?? []) {
    const li = el('li');
    li.append(el('span', label('channel', user.channelId), 'tag'), el('span', user.userId));
    links.append(li);
  }
  $('customer-links-empty').hidden = (channelUsers ?? []).length > 0;
}

function renderProfile() {
  const { customer, churn } = profile.data;
  $('customer-title').textContent = [customer.name, customer.company].filter(Boolean).join(' · ') || t('customers.unnamed');
  renderCustomerFields(customer);
  renderChurn(churn);
  renderLinks(customer.channelUsers);
}

async function loadProfile(id) {
  profile.id = id;
  try {
    profile.data = await api('GET', `/api/console/customers/${encodeURIComponent(id)}`);
    if (profile.id === id) renderProfile();
  } catch (error) {
    reportFailure(error);
  }
}

function showLinkError(message) {
  $('link-error').textContent = message;
  $('link-error').hidden = !message;
}

async function linkChatUser(event) {
  event.preventDefault();
  const channelId = $('link-channel').value.trim();
  const userId = $('link-user').value.trim();
  if (!channelId || !userId) return showLinkError(t('links.required'));
  try {
    const answer = await api('POST', `/api/console/customers/${encodeURIComponent(profile.id)}/links`, { channelId, userId });
    showLinkError('');
    $('link-user').value = '';
    profile.data = { ...profile.data, customer: { ...profile.data.customer, ...answer.customer } };
    renderProfile();
  } catch (error) {
    if (error.status === 401) return reportFailure(error);
    showLinkError(error.status === 409 ? t('links.taken') : t('error.generic', { message: error.message }));
  }
}

export const customersPage = {
  needsSupervisor: false,

  bind() {
    for (const th of $('customer-table').querySelectorAll('th[data-sort]')) {
      th.querySelector('button').addEventListener('click', () => sortBy(th.dataset.sort));
    }
    bindSearch({ form: 'customer-search', input: 'customer-q', list, load: loadList });
    bindPager('customer', list, PAGE_SIZE, loadList);
    $('link-form').addEventListener('submit', linkChatUser);
  },

  show([id]) {
    $('customer-list-view').hidden = Boolean(id);
    $('customer-profile-view').hidden = !id;
    if (id) {
      showLinkError('');
      $('customer-title').textContent = '';
      return loadProfile(id);
    }
    profile.id = null;
    return loadList();
  },

  hide() {},

  languageChanged() {
    if (!state.me) return;
    if (list.loaded) renderList();
    if (profile.id && profile.data) renderProfile();
  },
};
