/* global URLSearchParams */
// Complaints page: the complaint tickets soonest due first, with filters (status, category,
// severity, mine, overdue, reference) and overdue ones highlighted, and one ticket with the
// client's description and contact, its history, and a button per move its status allows.
// The client's words, the contact and staff notes only ever go in through textContent (el()).
import { $, state, t, label, el, api, reportFailure, formatDateTime, cell, statusBadge, renderFields, loadPage, renderPager, bindPager, bindSearch } from './common.js';

const PAGE_SIZE = 25;
/** The list filters as the API names them; '' means any. */
const FILTERS = { status: 'tf-status', category: 'tf-category', severity: 'tf-severity', assignee: 'tf-assignee' };

/** Detail fields left out, rather than shown as "none", until the ticket has them. */
const OPTIONAL_FIELDS = ['resolvedAt', 'resolutionNote', 'closedAt', 'customer'];

const list = { filters: {}, overdue: false, q: '', offset: 0, items: [], total: 0, loaded: false };
const detail = { reference: null, ticket: null, notice: null, busy: false };

function dueCell(ticket) {
  const wrap = el('span');
  wrap.append(el('span', formatDateTime(ticket.slaDueAt)));
  if (ticket.overdue) wrap.append(' ', el('span', t('tickets.overdue'), 'tag overdue'));
  return wrap;
}

function referenceLink(ticket) {
  const link = el('a', ticket.reference);
  link.href = `#/tickets/${encodeURIComponent(ticket.reference)}`;
  return link;
}

function renderList() {
  const body = $('ticket-table').querySelector('tbody');
  body.replaceChildren();
  for (const ticket of list.items) {
    const row = el('tr');
    row.dataset.reference = ticket.reference;
    if (ticket.overdue) row.classList.add('overdue');
    row.append(
      cell(referenceLink(ticket)),
      cell(label('category', ticket.category)),
      cell(label('severity', ticket.severity)),
      cell(statusBadge('ticketStatus', ticket.status)),
      cell(formatDateTime(ticket.createdAt)),
      cell(dueCell(ticket)),
      cell(ticket.assignee?.displayName),
    );
    body.append(row);
  }
  $('ticket-empty').hidden = !list.loaded || list.items.length > 0;
  renderPager('ticket', list, PAGE_SIZE);
}

function loadList() {
  const query = new URLSearchParams({ offset: String(list.offset), limit: String(PAGE_SIZE) });
  for (const [name, value] of Object.entries(list.filters)) if (value) query.set(name, value);
  if (list.overdue) query.set('overdue', 'true');
  if (list.q) query.set('q', list.q);
  return loadPage(list, `/api/console/tickets?${query}`, renderList);
}

function readFilters() {
  for (const [name, id] of Object.entries(FILTERS)) list.filters[name] = $(id).value;
  list.overdue = $('tf-overdue').checked;
  list.offset = 0;
  loadList();
}

/** References hold letters, digits and dashes only: anything else is dropped rather than refused. */
const cleanReference = (q) => q.trim().replace(/[^A-Za-z0-9-]/g, '');

// ---- one ticket ----

function renderTicketFields(ticket) {
  const rows = [
    ['reference', ticket.reference],
    ['category', label('category', ticket.category)],
    ['severity', label('severity', ticket.severity)],
    ['status', label('ticketStatus', ticket.status)],
    ['language', label('language', ticket.language)],
    ['channel', label('channel', ticket.channelId)],
    ['contact', ticket.contact?.value],
    ['createdAt', formatDateTime(ticket.createdAt)],
    ['slaDueAt', dueCell(ticket)],
    ['assignee', ticket.assignee?.displayName],
    ['resolvedAt', ticket.resolvedAt ? formatDateTime(ticket.resolvedAt) : undefined],
    ['resolutionNote', ticket.resolutionNote || undefined],
    ['closedAt', ticket.closedAt ? formatDateTime(ticket.closedAt) : undefined],
    ['customer', ticket.customerId ? customerLink(ticket.customerId) : undefined],
  ];
  const shown = rows.filter(([key, value]) => value !== undefined || !OPTIONAL_FIELDS.includes(key));
  renderFields($('ticket-fields'), shown.map(([key, value]) => [key, t(`tickets.field.${key}`), value]));
}

function customerLink(id) {
  const link = el('a', t('tickets.openCustomer'));
  link.href = `#/customers/${encodeURIComponent(id)}`;
  return link;
}

function renderHistory(history) {
  const list = $('ticket-history');
  list.replaceChildren();
  for (const event of history) {
    const item = el('li');
    item.dataset.to = event.to;
    item.append(
      el('span', t('tickets.historyLine', {
        at: formatDateTime(event.at), name: event.by?.displayName ?? '', from: label('ticketStatus', event.from), to: label('ticketStatus', event.to),
      }), 'from'),
    );
    if (event.note) item.append(el('span', event.note, 'note'));
    if (event.clientNotified === true) item.append(el('span', t('tickets.notified'), 'tag notified'));
    if (event.clientNotified === false) {
      item.append(el('span', t('tickets.notNotified', { reason: label('tickets.notifyReason', event.notificationError ?? 'send_failed') }), 'tag not-notified'));
    }
    list.append(item);
  }
  $('ticket-history-empty').hidden = history.length > 0;
}

function renderActions(ticket) {
  const buttons = $('ticket-buttons');
  buttons.replaceChildren();
  for (const to of ticket.allowed ?? []) {
    const button = el('button', t(`tickets.move.${ticket.status}.${to}`), to === 'resolved' ? 'primary' : '');
    button.type = 'button';
    button.dataset.to = to;
    button.dataset.testid = `ticket-move-${to}`;
    button.disabled = detail.busy;
    button.addEventListener('click', () => move(to));
    buttons.append(button);
  }
  const canMove = (ticket.allowed ?? []).length > 0;
  $('ticket-note-row').hidden = !canMove;
  $('ticket-none-allowed').hidden = canMove;
  $('ticket-note-hint').textContent = (ticket.allowed ?? []).includes('resolved') ? t('tickets.noteHintResolve') : t('tickets.noteHint');
}

function showActionError(message) {
  $('ticket-action-error').textContent = message;
  $('ticket-action-error').hidden = !message;
}

function renderNotice() {
  const notice = $('ticket-action-done');
  notice.textContent = detail.notice ? t(detail.notice.key, detail.notice.vars) : '';
  notice.hidden = !detail.notice;
  notice.classList.toggle('warning', detail.notice?.key === 'tickets.done.notNotified');
}

function renderDetail() {
  const { ticket } = detail;
  $('ticket-title').textContent = ticket.reference;
  $('ticket-status').replaceChildren(statusBadge('ticketStatus', ticket.status));
  $('ticket-description').textContent = ticket.description;
  renderTicketFields(ticket);
  renderHistory(ticket.history ?? []);
  renderActions(ticket);
  renderNotice();
}

async function loadDetail(reference) {
  detail.reference = reference;
  try {
    const answer = await api('GET', `/api/console/tickets/${encodeURIComponent(reference)}`);
    if (detail.reference !== reference) return;
    detail.ticket = answer.ticket;
    renderDetail();
  } catch (error) {
    if (error.status === 404) {
      $('ticket-title').textContent = reference;
      showActionError(t('tickets.error.notFound'));
      return;
    }
    reportFailure(error);
  }
}

/** The message for a refused move, from the API's error code. */
function moveError(error) {
  switch (error.code) {
    case 'ticket_note_required': return t('tickets.error.noteRequired');
    case 'ticket_note_too_long': return t('tickets.error.noteTooLong');
    case 'ticket_changed': case 'ticket_transition_not_allowed': return t('tickets.error.changed');
    case 'ticket_not_found': return t('tickets.error.notFound');
    default: return t('error.generic', { message: error.message });
  }
}

async function move(to) {
  const { ticket } = detail;
  const note = $('ticket-note').value.trim();
  if (to === 'resolved' && !note) {
    showActionError(t('tickets.error.noteRequired'));
    $('ticket-note').focus();
    return;
  }
  detail.busy = true;
  renderActions(ticket);
  try {
    const answer = await api('POST', `/api/console/tickets/${encodeURIComponent(ticket.reference)}/status`, { status: to, ...(note ? { note } : {}) });
    showActionError('');
    $('ticket-note').value = '';
    detail.ticket = answer.ticket;
    if (answer.clientNotified === true) detail.notice = { key: 'tickets.done.notified', vars: {} };
    else if (answer.clientNotified === false) detail.notice = { key: 'tickets.done.notNotified', vars: {} };
    else detail.notice = { key: 'tickets.done.moved', vars: { status: label('ticketStatus', answer.ticket.status) } };
  } catch (error) {
    if (error.status === 401) return reportFailure(error);
    showActionError(moveError(error));
    // Someone else moved it: show what it is now, so the buttons match.
    if (error.status === 409) await loadDetail(ticket.reference);
  } finally {
    detail.busy = false;
    if (detail.ticket) renderDetail();
  }
}

export const ticketsPage = {
  needsSupervisor: false,

  bind() {
    for (const id of [...Object.values(FILTERS), 'tf-overdue']) $(id).addEventListener('change', readFilters);
    bindSearch({ form: 'ticket-filters', input: 'tf-q', list, load: loadList, clean: cleanReference });
    bindPager('ticket', list, PAGE_SIZE, loadList);
  },

  show([reference]) {
    $('ticket-list-view').hidden = Boolean(reference);
    $('ticket-detail-view').hidden = !reference;
    if (reference) {
      detail.ticket = null;
      detail.notice = null;
      showActionError('');
      renderNotice();
      $('ticket-note').value = '';
      $('ticket-title').textContent = '';
      $('ticket-buttons').replaceChildren();
      return loadDetail(reference);
    }
    detail.reference = null;
    return loadList();
  },

  hide() {},

  languageChanged() {
    if (!state.me) return;
    if (list.loaded) renderList();
    if (detail.reference && detail.ticket) renderDetail();
  },
};
