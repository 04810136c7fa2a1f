/* global setInterval, clearInterval, URLSearchParams */
// Callbacks page: the day's callbacks by slot in the bank's time zone (default today), the ones
// whose slot has started and that nobody has worked yet highlighted, with the client's phone and
// language. Staff take a callback and record it done (note optional) or missed (with a note).
// Client text (the topic they typed) and staff notes go in through textContent only.
import { $, state, t, label, el, api, reportFailure, isSupervisor, statusBadge, renderPager, bindPager } from './common.js';

const PAGE_SIZE = 50;
/** The list refreshes itself this often while it is shown: calls fall due as time passes. */
const REFRESH_MS = 60_000;
const MAX_NOTE_CHARS = 2000;

const desk = { items: [], total: 0, offset: 0, timeZone: 'Asia/Shanghai', day: '', loaded: false, open: null, busy: false };
let timer = null;

const mine = (callback) => callback.assignee?.staffId === state.me?.staffId;
/** An agent works callbacks nobody holds and their own; a supervisor any. */
const mayWork = (callback) => !callback.assignee || mine(callback) || isSupervisor();

function clock(iso) {
  return new Date(iso).toLocaleTimeString(state.lang, { timeZone: desk.timeZone, hour: '2-digit', minute: '2-digit', hour12: false });
}

function showNotice(message) {
  $('callback-notice').textContent = message;
  $('callback-notice').hidden = !message;
}

function showProblem(message) {
  $('callback-error').textContent = message;
  $('callback-error').hidden = !message;
}

/** A refused action in words: the server's code when the console knows it, else its message. */
function problemText(error) {
  const key = `callbackError.${error.code}`;
  return key in state.strings ? t(key) : t('error.generic', { message: error.message });
}

function statusCell(callback) {
  const td = el('td');
  td.append(statusBadge('callbackStatus', callback.status));
  if (callback.dueNow) td.append(el('span', t('callbackDesk.dueNow'), 'badge due-badge'));
  if (callback.outcome) {
    td.append(el('div', t('callbackDesk.recordedBy', { name: callback.outcome.by.displayName, time: clock(callback.outcome.at) }), 'muted outcome-note'));
    if (callback.outcome.note) td.append(el('div', callback.outcome.note, 'outcome-note'));
  }
  return td;
}

function assigneeText(callback) {
  if (!callback.assignee) return t('callbackDesk.unassigned');
  return mine(callback) ? t('callbackDesk.you', { name: callback.assignee.displayName }) : callback.assignee.displayName;
}

function button(text, testId, onClick, className) {
  const b = el('button', text, className);
  b.type = 'button';
  b.dataset.testid = testId;
  b.addEventListener('click', onClick);
  return b;
}

function actionsCell(callback) {
  const td = el('td');
  const box = el('div', undefined, 'row-actions');
  td.append(box);
  if (callback.status !== 'booked') return td;
  if (!mayWork(callback)) {
    box.append(el('span', t('callbackDesk.heldBy', { name: callback.assignee.displayName }), 'muted'));
    return td;
  }
  if (!mine(callback)) box.append(button(t('callbackDesk.take'), 'callback-take', () => take(callback)));
  // Due now is the server's word (its clock) that the slot has started; before that it refuses an outcome, and the button says so first.
  const started = callback.dueNow;
  for (const outcome of ['done', 'missed']) {
    const b = button(t(`callbackDesk.${outcome}`), `callback-${outcome}`, () => openOutcome(callback.reference, outcome), outcome === 'done' ? 'primary' : 'danger');
    if (!started) {
      b.disabled = true;
      b.title = t('callbackDesk.notStarted', { time: clock(callback.slotStart) });
    }
    box.append(b);
  }
  return td;
}

function outcomeRow(callback, outcome) {
  const row = el('tr', undefined, 'outcome-row');
  row.dataset.testid = 'callback-outcome-row';
  const td = el('td');
  td.colSpan = 8;
  const form = el('form', undefined, 'outcome-form');
  form.dataset.testid = 'callback-outcome-form';
  const noteLabel = el('label');
  const note = el('textarea');
  note.rows = 2;
  note.maxLength = MAX_NOTE_CHARS;
  note.required = outcome === 'missed';
  note.placeholder = t(`callbackDesk.notePlaceholder.${outcome}`);
  note.dataset.testid = 'callback-note';
  noteLabel.append(el('span', t(outcome === 'missed' ? 'callbackDesk.noteRequired' : 'callbackDesk.note')), note);
  const confirm = el('button', t(`callbackDesk.confirm.${outcome}`), outcome === 'done' ? 'primary' : 'danger');
  confirm.type = 'submit';
  confirm.dataset.testid = 'callback-confirm';
  const cancel = button(t('callbackDesk.cancel'), 'callback-outcome-cancel', () => { desk.open = null; render(); });
  form.append(noteLabel, confirm, cancel);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    record(callback, outcome, note.value);
  });
  td.append(form);
  row.append(td);
  return { row, focus: () => note.focus() };
}

function render() {
  const body = $('callback-table').querySelector('tbody');
  body.replaceChildren();
  let focus = null;
  for (const callback of desk.items) {
    const row = el('tr');
    row.dataset.reference = callback.reference;
    row.dataset.status = callback.status;
    if (callback.dueNow) row.classList.add('due-now');
    const time = el('td', `${clock(callback.slotStart)}–${clock(callback.slotEnd)}`);
    const phone = el('td');
    const link = el('a', callback.phone);
    link.href = `tel:${callback.phone}`;
    phone.append(link);
    row.append(
      time,
      el('td', callback.reference),
      el('td', label('callbackTopic', callback.topic)),
      phone,
      el('td', label('language', callback.language)),
      statusCell(callback),
      el('td', assigneeText(callback)),
      actionsCell(callback),
    );
    body.append(row);
    if (desk.open?.reference === callback.reference && callback.status === 'booked') {
      const form = outcomeRow(callback, desk.open.outcome);
      body.append(form.row);
      focus = form.focus;
    }
  }
  $('callback-empty').hidden = !desk.loaded || desk.items.length > 0;
  $('callback-zone').textContent = t('callbackDesk.zone', { zone: desk.timeZone });
  renderPager('callback', desk, PAGE_SIZE);
  focus?.();
}

async function load() {
  const query = new URLSearchParams({ offset: String(desk.offset), limit: String(PAGE_SIZE) });
  if ($('callback-day').value) query.set('day', $('callback-day').value);
  if ($('callback-status').value) query.set('status', $('callback-status').value);
  if ($('callback-due').checked) query.set('due', 'now');
  if ($('callback-mine').checked) query.set('assignee', 'me');
  try {
    const answer = await api('GET', `/api/console/callbacks?${query}`);
    desk.items = answer.items ?? [];
    desk.total = answer.total ?? desk.items.length;
    desk.timeZone = answer.timeZone ?? desk.timeZone;
    desk.day = answer.from;
    // With no day asked for, the server answers today in the bank's zone: show which day that is.
    if (!$('callback-day').value && answer.from) $('callback-day').value = answer.from;
    desk.loaded = true;
    showProblem('');
    render();
  } catch (error) {
    if (error.status === 401) return reportFailure(error);
    showProblem(problemText(error));
  }
}

/** Runs one change, then reloads the list (the server's answer is the truth: a colleague may have acted too). */
async function act(work) {
  if (desk.busy) return;
  desk.busy = true;
  try {
    await work();
    showProblem('');
  } catch (error) {
    if (error.status === 401) return reportFailure(error);
    showNotice('');
    showProblem(problemText(error));
  } finally {
    desk.busy = false;
  }
  await load();
}

function take(callback) {
  showNotice('');
  return act(async () => {
    await api('POST', `/api/console/callbacks/${encodeURIComponent(callback.reference)}/assign`, {});
    showNotice(t('callbackDesk.taken', { reference: callback.reference }));
  });
}

function openOutcome(reference, outcome) {
  desk.open = { reference, outcome };
  showNotice('');
  showProblem('');
  render();
}

function record(callback, outcome, note) {
  if (outcome === 'missed' && !note.trim()) return showProblem(t('callbackError.note_required'));
  return act(async () => {
    const answer = await api('POST', `/api/console/callbacks/${encodeURIComponent(callback.reference)}/outcome`, { outcome, note });
    desk.open = null;
    if (outcome === 'done') showNotice(t('callbackDesk.recordedDone', { reference: callback.reference }));
    else showNotice(t(answer.clientNotified ? 'callbackDesk.clientNotified' : 'callbackDesk.clientNotNotified', { reference: callback.reference }));
  });
}

function reload() {
  desk.offset = 0;
  desk.open = null;
  showNotice('');
  load();
}

export const callbacksPage = {
  needsSupervisor: false,

  bind() {
    $('callback-filters').addEventListener('submit', (event) => { event.preventDefault(); reload(); });
    for (const id of ['callback-day', 'callback-status', 'callback-due', 'callback-mine']) $(id).addEventListener('change', reload);
    $('callback-today').addEventListener('click', () => { $('callback-day').value = ''; reload(); });
    bindPager('callback', desk, PAGE_SIZE, load);
  },

  show() {
    clearInterval(timer);
    // Refresh only when nobody is typing a note, so a half-written note is never lost.
    timer = setInterval(() => { if (!desk.open && !desk.busy) load(); }, REFRESH_MS);
    return load();
  },

  hide() {
    clearInterval(timer);
    timer = null;
    desk.open = null;
  },

  languageChanged() {
    if (state.me && desk.loaded) render();
  },
};
