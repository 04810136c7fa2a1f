/* global EventSource, setTimeout, clearTimeout, setInterval */
// Queue page: the handoff queue, live conversations and the open case (reply, transfer, end),
// kept current over server-sent events.
import { $, state, t, el, api, showError, reportFailure, isSupervisor, formatDate, formatDateTime, formatTime } from './common.js';

const queueState = { queue: [], active: [], openCaseId: null, openCase: null, colleagues: [], events: null };

/** Handles a failed call: back to the login on 401, a named message when a case was taken first. */
function failure(error) {
  if (error.status === 409 && (error.code ?? error.body?.code) === 'already_taken') {
    return showError(t('error.taken', { name: error.body?.claimedBy?.displayName ?? error.details?.claimedBy?.displayName ?? '?' }));
  }
  reportFailure(error);
}

function formatWait(seconds) {
  return seconds < 60 ? t('seconds', { n: seconds }) : t('minutes', { n: Math.floor(seconds / 60) });
}

function renderQueue() {
  const body = $('queue').querySelector('tbody');
  body.replaceChildren();
  for (const entry of queueState.queue) {
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
  $('queue-empty').hidden = queueState.queue.length > 0;
}

function renderActive() {
  const list = $('active');
  list.replaceChildren();
  $('active-heading').textContent = t(isSupervisor() ? 'active.headingAll' : 'active.heading');
  for (const item of queueState.active) {
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
  $('active-empty').hidden = queueState.active.length > 0;
}

function appendMessage(message) {
  const who = message.from === 'staff' ? t('from.staff', { name: message.staff?.displayName ?? '' }) : t(`from.${message.from}`);
  const li = el('li', undefined, message.from);
  li.append(el('span', `${who} · ${formatTime(message.at)}`, 'from'));
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
    ['profile.callbacks', profile.callbacks.map((b) => `${b.reference} ${formatDateTime(b.slotStart)}`).join('; ') || none],
    ['profile.csat', (profile.pastCsat ?? []).map((a) => t('profile.csatScore', { score: a.score, date: formatDate(a.answeredAt) })).join('; ') || none],
  ];
  for (const [key, value] of rows) list.append(el('dt', t(key)), el('dd', value));
}

function renderCase(data) {
  queueState.openCase = data.case;
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
  for (const colleague of queueState.colleagues.filter((s) => s.staffId !== c.claimedBy?.staffId)) {
    const option = el('option', `${colleague.displayName} (${t(`role.${colleague.role}`)})`);
    option.value = colleague.staffId;
    select.append(option);
  }
}

async function refresh() {
  try {
    const [queue, active] = await Promise.all([api('GET', '/api/console/queue'), api('GET', '/api/console/active')]);
    queueState.queue = queue.queue;
    queueState.active = active.active;
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
    queueState.openCaseId = caseId;
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
  queueState.events?.close();
  queueState.events = new EventSource('/api/console/events');
  queueState.events.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.type === 'message') {
      if (event.message.caseId === queueState.openCaseId) appendMessage(event.message);
      return;
    }
    refreshSoon();
    if (event.case?.caseId === queueState.openCaseId) openCase(queueState.openCaseId);
  };
  // EventSource reconnects by itself; after a reconnect the lists may have missed events.
  queueState.events.onopen = () => refreshSoon();
}

async function sendReply(event) {
  event.preventDefault();
  const text = $('reply-text').value.trim();
  if (!text || !queueState.openCaseId) return;
  try {
    await api('POST', `/api/console/cases/${encodeURIComponent(queueState.openCaseId)}/reply`, { text });
    $('reply-text').value = '';
  } catch (error) {
    failure(error);
  }
}

async function caseAction(path, body) {
  try {
    await api('POST', `/api/console/cases/${encodeURIComponent(queueState.openCaseId)}/${path}`, body);
    await refresh();
    await openCase(queueState.openCaseId);
  } catch (error) {
    failure(error);
  }
}

export const queuePage = {
  needsSupervisor: false,

  bind() {
    $('reply-form').addEventListener('submit', sendReply);
    $('transfer').addEventListener('click', () => caseAction('transfer', { toStaffId: $('transfer-to').value }));
    $('end').addEventListener('click', () => caseAction('end', { outcome: 'bot' }));
    // Waiting times keep counting between events.
    setInterval(() => { if (state.me) renderQueue(); }, 5000);
  },

  /** After sign-in: colleagues for transfers, the live event stream and the lists. */
  async start() {
    queueState.colleagues = (await api('GET', '/api/console/colleagues')).staff;
    connectEvents();
    await refresh();
  },

  stop() {
    queueState.events?.close();
    queueState.events = null;
  },

  show() {
    refreshSoon();
  },

  hide() {},

  languageChanged() {
    $('reply-text').placeholder = t('case.replyPlaceholder');
    if (!state.me) return;
    renderQueue();
    renderActive();
    if (queueState.openCaseId) openCase(queueState.openCaseId);
  },
};
