// Staff page (admin only): the staff accounts (name, e-mail, role, active, linked Teams user), a form
// to add an account and, on each row, a form to link or unlink a Teams user and (not on your own row) a
// button to deactivate or reactivate the account. Names, e-mails and Teams
// ids are set through textContent / input values only (el() and cell() in common.js).
import { $, state, t, label, el, api, reportFailure, cell, statusBadge } from './common.js';

const list = { items: [], loaded: false };

/** An API failure as words: `staffError.<code>` when there is one, else the generic message. */
function problemText(error) {
  const key = `staffError.${error.code}`;
  return error.code && key in state.strings ? t(key) : t('error.generic', { message: error.message });
}

function showProblem(id, message) {
  $(id).textContent = message;
  $(id).hidden = !message;
}

function teamsForm(member) {
  const form = el('form', undefined, 'inline-form staff-teams-form');
  form.dataset.testid = 'staff-teams-form';
  const input = el('input');
  input.maxLength = 200;
  input.autocomplete = 'off';
  input.value = member.teamsUserId ?? '';
  input.setAttribute('aria-label', t('staff.teamsUserId'));
  input.dataset.testid = 'staff-teams-input';
  const save = el('button', t('staff.link'), 'primary');
  save.type = 'submit';
  save.dataset.testid = 'staff-teams-link';
  form.append(input, save);
  if (member.teamsUserId) {
    const unlink = el('button', t('staff.unlink'));
    unlink.type = 'button';
    unlink.dataset.testid = 'staff-teams-unlink';
    unlink.addEventListener('click', () => setTeamsUser(member, ''));
    form.append(unlink);
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = input.value.trim();
    if (!value) return showProblem('staff-teams-error', t('staff.teamsRequired'));
    return setTeamsUser(member, value);
  });
  return form;
}

/** The status badge, and on everyone's row but your own a button that deactivates or reactivates the account. */
function statusCell(member) {
  const box = el('span', undefined, 'staff-status');
  box.append(statusBadge('staff.status', member.active ? 'active' : 'inactive'));
  if (member.staffId !== state.me?.staffId) {
    const toggle = el('button', t(member.active ? 'staff.deactivate' : 'staff.activate'), member.active ? 'danger' : undefined);
    toggle.type = 'button';
    toggle.dataset.testid = 'staff-active-toggle';
    toggle.addEventListener('click', () => setActive(member, !member.active));
    box.append(' ', toggle);
  }
  return box;
}

function renderList() {
  const body = $('staff-table').querySelector('tbody');
  body.replaceChildren();
  for (const member of list.items) {
    const row = el('tr');
    row.dataset.staffId = member.staffId;
    row.dataset.email = member.email;
    row.append(
      cell(member.displayName),
      cell(member.email),
      cell(label('role', member.role)),
      cell(statusCell(member)),
      cell(member.teamsUserId),
      cell(teamsForm(member)),
    );
    row.children[4].dataset.field = 'teamsUserId';
    body.append(row);
  }
  $('staff-empty').hidden = !list.loaded || list.items.length > 0;
}

async function loadList() {
  try {
    const answer = await api('GET', '/api/console/staff');
    list.items = answer.staff ?? [];
    list.loaded = true;
    renderList();
  } catch (error) {
    reportFailure(error);
  }
}

/** Applies one change to a staff account (PUT staff/:id/<what>), shows the updated row and says what happened. */
async function updateMember(member, what, body, noticeKey) {
  try {
    const answer = await api('PUT', `/api/console/staff/${encodeURIComponent(member.staffId)}/${what}`, body);
    showProblem('staff-teams-error', '');
    list.items = list.items.map((m) => (m.staffId === member.staffId ? answer.staff : m));
    renderList();
    showNotice(t(noticeKey, { name: member.displayName }));
  } catch (error) {
    if (error.status === 401) return reportFailure(error);
    showProblem('staff-teams-error', problemText(error));
  }
}

function setTeamsUser(member, teamsUserId) {
  return updateMember(member, 'teams', { teamsUserId }, teamsUserId ? 'staff.linked' : 'staff.unlinked');
}

function setActive(member, active) {
  return updateMember(member, 'active', { active }, active ? 'staff.activated' : 'staff.deactivated');
}

function showNotice(message) {
  $('staff-notice').textContent = message;
  $('staff-notice').hidden = !message;
}

async function addAccount(event) {
  event.preventDefault();
  const teamsUserId = $('staff-add-teams').value.trim();
  const body = {
    displayName: $('staff-add-name').value.trim(),
    email: $('staff-add-email').value.trim(),
    role: $('staff-add-role').value,
    password: $('staff-add-password').value,
    ...(teamsUserId ? { teamsUserId } : {}),
  };
  try {
    const answer = await api('POST', '/api/console/staff', body);
    showProblem('staff-add-error', '');
    $('staff-add-form').reset();
    showNotice(t('staff.added', { name: answer.staff.displayName }));
    await loadList();
  } catch (error) {
    if (error.status === 401) return reportFailure(error);
    showProblem('staff-add-error', problemText(error));
  }
}

function fillRoles() {
  const select = $('staff-add-role');
  const chosen = select.value || 'agent';
  select.replaceChildren(...['agent', 'supervisor', 'admin'].map((role) => {
    const option = el('option', label('role', role));
    option.value = role;
    return option;
  }));
  select.value = chosen;
}

export const staffPage = {
  needsAdmin: true,

  bind() {
    $('staff-add-form').addEventListener('submit', addAccount);
  },

  show() {
    fillRoles();
    showProblem('staff-add-error', '');
    showProblem('staff-teams-error', '');
    showNotice('');
    return loadList();
  },

  hide() {},

  languageChanged() {
    if (!state.me) return;
    fillRoles();
    if (list.loaded) renderList();
  },
};
