/* global document, fetch, localStorage, Node, setTimeout, clearTimeout */
// Shared by every console page: strings, DOM helpers, the JSON API client (with the CSRF header),
// the error banner and number/date formatting. Text from clients and colleagues only ever goes
// into the page through textContent (el() below), never innerHTML.

export const $ = (id) => document.getElementById(id);

/** The signed-in staff member and the strings of the current language. */
/** `timeZone`: the bank's, from the session; dates and times are shown in it (undefined: the browser's, before sign-in). */
export const state = { lang: 'zh-CN', strings: {}, me: null, timeZone: undefined };

const languageListeners = [];

/** Registers a page's re-render for when the language changes. */
export function onLanguageChange(listener) {
  languageListeners.push(listener);
}

export function t(key, vars = {}) {
  const text = state.strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_m, name) => String(vars[name] ?? ''));
}

/** The localized label of `prefix.code`, or the code itself when there is none (a new code from the server). */
export function label(prefix, code) {
  const key = `${prefix}.${code}`;
  return key in state.strings ? t(key) : String(code);
}

export function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

/** A table cell holding a node (a link, a badge) or text; no value shows as "none". */
export function cell(content) {
  const td = el('td');
  if (content instanceof Node) td.append(content);
  else td.textContent = content ?? t('none');
  return td;
}

/** A status in a badge, its words from `prefix.status` and the code in data-status (for styling and tests). */
export function statusBadge(prefix, status) {
  const badge = el('span', label(prefix, status), 'badge');
  badge.dataset.status = status;
  return badge;
}

/**
 * Fills a <dl> with a dt/dd pair a row, `[field, term, value]`: the value is a node (a link, a tag)
 * or text, "none" when empty, and the dd carries the field in data-field.
 */
export function renderFields(list, rows) {
  list.replaceChildren();
  for (const [field, term, value] of rows) {
    const dd = el('dd');
    if (value instanceof Node) dd.append(value);
    else dd.textContent = value || t('none');
    dd.dataset.field = field;
    list.append(el('dt', term), dd);
  }
}

export const isSupervisor = () => Boolean(state.me) && (state.me.role === 'supervisor' || state.me.role === 'admin');

export const isAdmin = () => Boolean(state.me) && state.me.role === 'admin';

function csrfToken() {
  const match = document.cookie.split('; ').find((c) => c.startsWith('rapport_csrf='));
  return match ? decodeURIComponent(match.slice('rapport_csrf='.length)) : '';
}

/**
 * Calls the console API. A failure throws an Error with `status`, `code`, `details` and the raw
 * `body`; the API answers either `{ error: { code, message, details } }` or `{ code, message, ... }`.
 */
export async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken();
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const text = await res.text();
  let data = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = { message: res.statusText };
  }
  if (!res.ok) {
    const problem = data.error && typeof data.error === 'object' ? data.error : data;
    const error = new Error(problem.message || res.statusText);
    error.status = res.status;
    error.code = problem.code;
    error.details = problem.details ?? detailsBesides(problem);
    error.body = data;
    throw error;
  }
  return data;
}

function detailsBesides(problem) {
  const { code: _code, message: _message, ...rest } = problem;
  return Object.keys(rest).length ? rest : undefined;
}

export function showError(message) {
  $('error').textContent = message;
  $('error').hidden = !message;
}

let signedOut = () => undefined;

/** The shell's handler for an ended session (back to the sign-in form). */
export function onSignedOut(handler) {
  signedOut = handler;
}

/** Shows a failed call in the error banner; an ended session (401) goes back to the sign-in form. */
export function reportFailure(error) {
  if (error.status === 401) return signedOut();
  showError(t('error.generic', { message: error.message }));
}

export function formatNumber(value, digits = 0) {
  if (value === null || value === undefined || Number.isNaN(value)) return t('none');
  return Number(value).toLocaleString(state.lang, { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatPercent(ratio) {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return t('none');
  return Number(ratio).toLocaleString(state.lang, { style: 'percent', maximumFractionDigits: 1 });
}

export function formatDate(iso) {
  return iso ? new Date(iso).toLocaleDateString(state.lang, { timeZone: state.timeZone }) : t('none');
}

export function formatDateTime(iso) {
  return iso ? new Date(iso).toLocaleString(state.lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: state.timeZone }) : t('none');
}

const pad2 = (n) => String(n).padStart(2, '0');

/** The wall-clock fields of an instant in the bank's time zone (the browser's before sign-in). */
function wallFields(date) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: state.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(date).map((p) => [p.type, p.value]));
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour), minute: Number(parts.minute), second: Number(parts.second) };
}

/** An ISO instant as a datetime-local input's value ("2026-12-01T09:00"), in the bank's time zone. */
export function wallInputValue(iso) {
  if (!iso) return '';
  const f = wallFields(new Date(iso));
  return `${f.year}-${pad2(f.month)}-${pad2(f.day)}T${pad2(f.hour)}:${pad2(f.minute)}`;
}

/** A datetime-local ("2026-12-01T09:00") or date ("2026-12-01") value read in the bank's time zone, as an ISO instant; undefined when empty. */
export function instantFromWallInput(value) {
  if (!value) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(value);
  if (!m) return value;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1).map((v) => (v === undefined ? undefined : Number(v)));
  const wanted = Date.UTC(year, month - 1, day, hour, minute, second);
  // The zone's offset at that moment, found by reading a first guess back as wall time (twice, for a DST edge).
  let instant = wanted;
  for (let i = 0; i < 2; i++) {
    const f = wallFields(new Date(instant));
    instant += wanted - Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  }
  return new Date(instant).toISOString();
}

/** A time of day in the bank's time zone. */
export function formatTime(iso) {
  return iso ? new Date(iso).toLocaleTimeString(state.lang, { timeZone: state.timeZone }) : t('none');
}

/** Loads the strings of a language and fills every [data-i18n] (text) and [data-i18n-placeholder] node. */
export async function loadStrings(lang) {
  const res = await fetch(`/console/strings/${encodeURIComponent(lang)}`);
  state.strings = await res.json();
  state.lang = lang;
  document.documentElement.lang = lang;
  document.title = t('title');
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll('[data-i18n-placeholder]')) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of document.querySelectorAll('[data-i18n-label]')) node.setAttribute('aria-label', t(node.dataset.i18nLabel));
  localStorage.setItem('rapport.console.lang', lang);
}

export function languageChanged() {
  for (const listener of languageListeners) listener();
}

// ---- paged lists ----
// A list page keeps `{ offset, items, total, loaded }` (and `q` when it searches); its pager is the
// nodes `${prefix}-range`, `${prefix}-prev` and `${prefix}-next`.

/** Fetches one page of a list into `list` and renders it; a failure goes to the error banner. */
export async function loadPage(list, path, render) {
  try {
    const answer = await api('GET', path);
    list.items = answer.items ?? [];
    list.total = answer.total ?? list.items.length;
    list.loaded = true;
    render();
  } catch (error) {
    reportFailure(error);
  }
}

/** Shows "first–last of total" and enables previous/next where there is a page to go to. */
export function renderPager(prefix, list, pageSize) {
  const first = list.total === 0 ? 0 : list.offset + 1;
  const last = Math.min(list.offset + list.items.length, list.total);
  $(`${prefix}-range`).textContent = t('pager.range', { first, last, total: list.total });
  $(`${prefix}-prev`).disabled = list.offset === 0;
  $(`${prefix}-next`).disabled = list.offset + pageSize >= list.total;
}

/** Wires the previous/next buttons to move `list.offset` by a page and load it. */
export function bindPager(prefix, list, pageSize, load) {
  $(`${prefix}-prev`).addEventListener('click', () => { list.offset = Math.max(0, list.offset - pageSize); load(); });
  $(`${prefix}-next`).addEventListener('click', () => { list.offset += pageSize; load(); });
}

/**
 * Searches as the staff member types: 300 ms after the last key, the input (as `clean` leaves it)
 * becomes `list.q` and the first page loads, unless the query did not change. Submitting the
 * form runs the search (after the same pause) even when it did not.
 */
export function bindSearch({ form, input, list, load, clean = (q) => q.trim() }) {
  let timer = null;
  const searchSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const q = clean($(input).value);
      if (q === list.q) return;
      list.q = q;
      list.offset = 0;
      load();
    }, 300);
  };
  $(input).addEventListener('input', searchSoon);
  $(form).addEventListener('submit', (event) => { event.preventDefault(); list.q = null; searchSoon(); });
}
