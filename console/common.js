/* global document, fetch, localStorage */
// Shared by every console page: strings, DOM helpers, the JSON API client (with the CSRF header),
// the error banner and number/date formatting. Text from clients and colleagues only ever goes
// into the page through textContent (el() below), never innerHTML.

export const $ = (id) => document.getElementById(id);

/** The signed-in staff member and the strings of the current language. */
export const state = { lang: 'zh-CN', strings: {}, me: null };

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

export const isSupervisor = () => Boolean(state.me) && (state.me.role === 'supervisor' || state.me.role === 'admin');

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
  return iso ? new Date(iso).toLocaleDateString(state.lang) : t('none');
}

export function formatDateTime(iso) {
  return iso ? new Date(iso).toLocaleString(state.lang, { dateStyle: 'medium', timeStyle: 'short' }) : t('none');
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
