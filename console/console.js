/* global document, fetch, localStorage, navigator, EventSource, setTimeout, clearTimeout, setInterval */
// Rapport staff console: vanilla ES module, no build step, nothing from a CDN.
// Everything that came from a client or a colleague is inserted with textContent (never innerHTML),
// so a message like <img src=x onerror=...> is shown as the text it is.

const $ = (id) => document.getElementById(id);
const state = { lang: 'zh-CN', strings: {}, me: null, queue: [], active: [], openCaseId: null, openCase: null, colleagues: [], events: null };

function t(key, vars = {}) {
  const text = state.strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_m, name) => String(vars[name] ?? ''));
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function csrfToken() {
  const match = document.cookie.split('; ').find((c) => c.startsWith('rapport_csrf='));
  return match ? decodeURIComponent(match.slice('rapport_csrf='.length)) : '';
}

async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken();
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const text = await res.text();
  const data = text ? JSON.parse(text) : {};
  if (!res.ok) {
    const error = new Error(data.message || res.statusText);
    error.status = res.status;
    error.body = data;
    throw error;
  }
  return data;
}

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = !message;
}

function failure(error) {
  if (error.status === 401) return showLogin();
  if (error.status === 409 && error.body?.code === 'already_taken') {
    return showError(t('error.taken', { name: error.body.claimedBy?.displayName ?? '?' }));
  }
  showError(t('error.generic', { message: error.message }));
}

async function loadStrings(lang) {
  const res = await fetch(`/console/strings/${encodeURIComponent(lang)}`);
  state.strings = await res.json();
  state.lang = lang;
  document.documentElement.lang = lang;
  document.title = t('title');
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  $('reply-text').placeholder = t('case.replyPlaceholder');
  localStorage.setItem('rapport.console.lang', lang);
}

function formatWait(seconds) {
  return seconds < 60 ? t('seconds', { n: seconds }) : t('minutes', { n: Math.floor(seconds / 60) });
}

const isSupervisor = () => state.me && (state.me.role === 'supervisor' || state.me.role === 'admin');

function renderQueue() {
  const body = $('queue').querySelector('tbody');
  body.replaceChildren();
  for (const entry of state.queue) {
    const row = el('tr');
    row.dataset.caseId = entry.caseId;
    const waited = Math.max(0, Math.round((Date.now() - new Date(entry.queuedAt).getTime()) / 1000));
    for (const text of [String(entry.priority), formatWait(waited), entry.language, entry.tier ?? '—', t(`reason.${entry.reason}`)]) row.append(el('td', text));
    const claimCell = el('td');
    const claim = el('button', t('queue.claim'), 'primary');
    claim.type = 'button';
    claim.dataset.testid = 'claim';
    claim.addEventListener('click', () => claimCase(entry.caseId));
    claimCell.append(claim);
    row.append(claimCell);
    body.append(row);
  }
  $('queue-empty').hidden = state.queue.length > 0;
}

function renderActive() {
  const list = $('active');
  list.replaceChildren();
  $('active-heading').textContent = t(isSupervisor() ? 'active.headingAll' : 'active.heading');
  for (const item of state.active) {
    const li = el('li');
    li.dataset.caseId = item.caseId;
    const label = `${t(`reason.${item.reason}`)} · ${item.language}${item.tier ? ` · ${item.tier}` : ''}`;
    li.append(el('span', label));
    if (isSupervisor()) li.append(el('span', t('active.heldBy', { name: item.claimedBy?.displayName ?? '?' }), 'muted'));
    const open = el('button', t('case.open'));
    open.type = 'button';
    open.addEventListener('click', () => openCase(item.caseId));
    li.append(open);
    list.append(li);
  }
  $('active-empty').hidden = state.active.length > 0;
}

function appendMessage(message) {
  const who = message.from === 'staff' ? t('from.staff', { name: message.staff?.displayName ?? '' }) : t(`from.${message.from}`);
  const li = el('li', undefined, message.from);
  li.append(el('span', `${who} · ${new Date(message.at).toLocaleTimeString(state.lang)}`, 'from'));
  li.append(el('span', message.text, 'text'));
  $('transcript').append(li);
  $('transcript').scrollTop = $('transcript').scrollHeight;
}

function renderProfile(profile) {
  const list = $('profile');
  list.replaceChildren();
  list.hidden = !profile;
  if (!profile) return;
  const none = t('profile.none');
  const rows = [
    ['profile.company', [profile.company, profile.name].filter(Boolean).join(' · ') || none],
    ['profile.tier', profile.tier ?? none],
    ['profile.manager', profile.relationshipManager ?? none],
    ['profile.tickets', profile.openTickets.map((k) => `${k.reference} (${k.severity}, ${k.status})`).join('; ') || none],
    ['profile.callbacks', profile.callbacks.map((b) => `${b.reference} ${new Date(b.slotStart).toLocaleString(state.lang)}`).join('; ') || none],
    ['profile.csat', (profile.pastCsat ?? []).map((a) => t('profile.csatScore', { score: a.score, date: new Date(a.answeredAt).toLocaleDateString(state.lang) })).join('; ') || none],
  ];
  for (const [key, value] of rows) list.append(el('dt', t(key)), el('dd', value));
}

function renderCase(data) {
  state.openCase = data.case;
  $('case-none').hidden = true;
  $('case').hidden = false;
  const c = data.case;
  $('case-summary').textContent = [t(`reason.${c.reason}`), c.language, c.tier ?? '', c.detail ?? '', c.claimedBy ? t('active.heldBy', { name: c.claimedBy.displayName }) : ''].filter(Boolean).join(' · ');
  renderProfile(data.profile);
  $('transcript').replaceChildren();
  for (const message of data.messages) appendMessage(message);
  const live = c.status === 'with_staff';
  const mine = c.claimedBy?.staffId === state.me.staffId;
  $('case-ended').hidden = live || c.status === 'queued';
  $('reply-form').hidden = !(live && mine);
  $('case-actions').hidden = !(live && (mine || isSupervisor()));
  const select = $('transfer-to');
  select.replaceChildren();
  for (const colleague of state.colleagues.filter((s) => s.staffId !== c.claimedBy?.staffId)) {
    const option = el('option', `${colleague.displayName} (${t(`role.${colleague.role}`)})`);
    option.value = colleague.staffId;
    select.append(option);
  }
}

async function refresh() {
  try {
    const [queue, active] = await Promise.all([api('GET', '/api/console/queue'), api('GET', '/api/console/active')]);
    state.queue = queue.queue;
    state.active = active.active;
    renderQueue();
    renderActive();
  } catch (error) {
    failure(error);
  }
}

let refreshTimer = null;
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refresh, 100);
}

async function openCase(caseId) {
  try {
    state.openCaseId = caseId;
    renderCase(await api('GET', `/api/console/cases/${encodeURIComponent(caseId)}`));
    showError('');
  } catch (error) {
    failure(error);
  }
}

async function claimCase(caseId) {
  try {
    await api('POST', `/api/console/cases/${encodeURIComponent(caseId)}/claim`, {});
    showError('');
    await refresh();
    await openCase(caseId);
  } catch (error) {
    failure(error);
    await refresh();
  }
}

function connectEvents() {
  state.events?.close();
  state.events = new EventSource('/api/console/events');
  state.events.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.type === 'message') {
      if (event.message.caseId === state.openCaseId) appendMessage(event.message);
      return;
    }
    refreshSoon();
    if (event.case?.caseId === state.openCaseId) openCase(state.openCaseId);
  };
  // EventSource reconnects by itself; after a reconnect the lists may have missed events.
  state.events.onopen = () => refreshSoon();
}

function showLogin() {
  state.events?.close();
  state.me = null;
  $('login').hidden = false;
  $('desk').hidden = true;
  $('logout').hidden = true;
  $('signed-in').textContent = '';
}

async function showDesk(me) {
  state.me = me;
  $('login').hidden = true;
  $('desk').hidden = false;
  $('logout').hidden = false;
  $('signed-in').textContent = t('signedInAs', { name: me.displayName, role: t(`role.${me.role}`) });
  state.colleagues = (await api('GET', '/api/console/colleagues')).staff;
  connectEvents();
  await refresh();
}

async function start() {
  const saved = localStorage.getItem('rapport.console.lang');
  const lang = saved || (navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en');
  $('language').value = lang;
  await loadStrings(lang);
  $('language').addEventListener('change', async () => {
    await loadStrings($('language').value);
    if (state.me) {
      $('signed-in').textContent = t('signedInAs', { name: state.me.displayName, role: t(`role.${state.me.role}`) });
      renderQueue();
      renderActive();
      if (state.openCaseId) openCase(state.openCaseId);
    }
  });
  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const result = await api('POST', '/api/console/login', { email: $('email').value, password: $('password').value });
      $('password').value = '';
      showError('');
      await showDesk(result.staff);
    } catch (error) {
      showError(error.status === 429 ? t('login.locked') : t('login.failed'));
    }
  });
  $('logout').addEventListener('click', async () => {
    await api('POST', '/api/console/logout', {}).catch(() => undefined);
    showLogin();
  });
  $('reply-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = $('reply-text').value.trim();
    if (!text || !state.openCaseId) return;
    try {
      await api('POST', `/api/console/cases/${encodeURIComponent(state.openCaseId)}/reply`, { text });
      $('reply-text').value = '';
    } catch (error) {
      failure(error);
    }
  });
  $('transfer').addEventListener('click', async () => {
    try {
      await api('POST', `/api/console/cases/${encodeURIComponent(state.openCaseId)}/transfer`, { toStaffId: $('transfer-to').value });
      await refresh();
      await openCase(state.openCaseId);
    } catch (error) {
      failure(error);
    }
  });
  $('end').addEventListener('click', async () => {
    try {
      await api('POST', `/api/console/cases/${encodeURIComponent(state.openCaseId)}/end`, { outcome: 'bot' });
      await refresh();
      await openCase(state.openCaseId);
    } catch (error) {
      failure(error);
    }
  });
  // Waiting times keep counting between events.
  setInterval(() => { if (state.me) renderQueue(); }, 5000);
  try {
    const me = await api('GET', '/api/console/me');
    await showDesk(me.staff);
  } catch {
    showLogin();
  }
}

start();
