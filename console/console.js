/* global document, localStorage, navigator, window */
// Rapport staff console: vanilla ES modules, no build step, nothing from a CDN.
// This module is the shell: language, sign-in, the tabs and the hash router (#/queue,
// #/customers[/id], #/tickets[/reference], #/callbacks, #/campaigns[/new|/id], #/dashboard, #/staff). Each page lives in its own module.
// Everything that came from a client or a colleague is inserted with textContent (never innerHTML),
// so a message like <img src=x onerror=...> is shown as the text it is.
import { $, state, t, api, showError, isSupervisor, isAdmin, loadStrings, languageChanged, onLanguageChange, onSignedOut } from './common.js';
import { queuePage } from './queue.js';
import { customersPage } from './customers.js';
import { ticketsPage } from './tickets.js';
import { callbacksPage } from './callbacks.js';
import { campaignsPage } from './campaigns.js';
import { dashboardPage } from './dashboard.js';
import { staffPage } from './staff.js';

const pages = { queue: queuePage, customers: customersPage, tickets: ticketsPage, callbacks: callbacksPage, campaigns: campaignsPage, dashboard: dashboardPage, staff: staffPage };
let currentPage = null;

/** Whether the signed-in staff member may open a page (supervisor pages: supervisor and admin; admin pages: admin). */
const allowed = (page) => (!page.needsSupervisor || isSupervisor()) && (!page.needsAdmin || isAdmin());

/** The page and its path parameters named by the location hash; nobody reaches a page their role may not open. */
function pageFromHash() {
  const [name, ...params] = window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const page = pages[name] && allowed(pages[name]) ? name : 'queue';
  return { name: page, params: page === name ? params.map(decodeURIComponent) : [] };
}

function route() {
  if (!state.me) return;
  const { name, params } = pageFromHash();
  if (currentPage && currentPage !== name) pages[currentPage].hide();
  currentPage = name;
  for (const section of document.querySelectorAll('.page')) section.hidden = section.dataset.page !== name;
  for (const tab of document.querySelectorAll('#tabs a')) {
    if (tab.dataset.tab === name) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
  showError('');
  pages[name].show(params);
}

function showTabsFor() {
  for (const tab of document.querySelectorAll('#tabs a')) {
    tab.hidden = (tab.dataset.needs === 'supervisor' && !isSupervisor()) || (tab.dataset.needs === 'admin' && !isAdmin());
  }
  $('tabs').hidden = false;
}

function showLogin() {
  queuePage.stop();
  if (currentPage) pages[currentPage].hide();
  currentPage = null;
  state.me = null;
  $('login').hidden = false;
  for (const section of document.querySelectorAll('.page')) section.hidden = true;
  $('tabs').hidden = true;
  $('logout').hidden = true;
  $('signed-in').textContent = '';
}

function showSignedIn() {
  $('signed-in').textContent = t('signedInAs', { name: state.me.displayName, role: t(`role.${state.me.role}`) });
}

async function showDesk(me, timeZone) {
  state.me = me;
  state.timeZone = timeZone;
  $('login').hidden = true;
  $('logout').hidden = false;
  showSignedIn();
  showTabsFor();
  await queuePage.start();
  route();
}

async function signIn(event) {
  event.preventDefault();
  try {
    const result = await api('POST', '/api/console/login', { email: $('email').value, password: $('password').value });
    $('password').value = '';
    showError('');
    await showDesk(result.staff, result.timeZone);
  } catch (error) {
    showError(error.status === 429 ? t('login.locked') : t('login.failed'));
  }
}

async function switchLanguage() {
  await loadStrings($('language').value);
  languageChanged();
}

async function start() {
  const saved = localStorage.getItem('rapport.console.lang');
  const lang = saved || (navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en');
  $('language').value = lang;
  await loadStrings(lang);
  onSignedOut(showLogin);
  for (const page of Object.values(pages)) {
    page.bind();
    onLanguageChange(() => page.languageChanged());
  }
  onLanguageChange(() => { if (state.me) showSignedIn(); });
  queuePage.languageChanged();
  $('language').addEventListener('change', switchLanguage);
  $('login-form').addEventListener('submit', signIn);
  $('logout').addEventListener('click', async () => {
    await api('POST', '/api/console/logout', {}).catch(() => undefined);
    showLogin();
  });
  window.addEventListener('hashchange', route);
  try {
    const me = await api('GET', '/api/console/me');
    await showDesk(me.staff, me.timeZone);
  } catch {
    showLogin();
  }
}

start();
