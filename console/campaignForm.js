/* global document */
// Campaign editor: the create/edit form of a draft, the audience preview (before launch),
// Save draft and Launch (after a confirm dialog). Server validation errors are shown beside
// the form and the fields they name are marked.
import { $, state, t, el, api, reportFailure, formatNumber, wallInputValue, instantFromWallInput } from './common.js';

const editor = { campaign: null, surveys: null, lastPreview: null, busy: false };
/** Set by the campaigns page: where to go once a campaign was saved or launched. */
const after = { saved: () => undefined, statusChanged: () => undefined };

export function onCampaignSaved(handler) { after.saved = handler; }
export function onCampaignStatusChanged(handler) { after.statusChanged = handler; }

const PREVIEW_FIGURES = ['matching', 'reachable', 'noConsent', 'noConversation', 'frequencyCapped'];
/** Messages per second when the supervisor does not say (the campaign service's default). */
const DEFAULT_SEND_RATE = 20;

// ---- form ⇄ CampaignDraftInput ----

// Dates and times in the form are the bank's wall time, as everywhere in the console (common.js).
const toLocalInput = wallInputValue;

function toDateInput(iso) {
  return iso ? wallInputValue(iso).slice(0, 10) : '';
}

const toIso = instantFromWallInput;

const listFrom = (text) => text.split(/[,，;；\n]/).map((s) => s.trim()).filter(Boolean);
const checkedValues = (name) => [...document.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
const selectedKind = () => document.querySelector('input[name="cf-kind"]:checked')?.value ?? 'survey';

function audienceFromForm() {
  const audience = {};
  const tiers = checkedValues('cf-tier');
  const languages = checkedValues('cf-language');
  const tags = listFrom($('cf-tags').value);
  const managers = listFrom($('cf-managers').value);
  if (tiers.length) audience.tiers = tiers;
  if (languages.length) audience.languages = languages;
  if (tags.length) audience.tagsAny = tags;
  if (managers.length) audience.relationshipManagers = managers;
  const lastContactBefore = toIso($('cf-last-contact').value);
  if (lastContactBefore) audience.lastContactBefore = lastContactBefore;
  if ($('cf-complaint').value) audience.hasOpenComplaint = $('cf-complaint').value === 'yes';
  return audience;
}

/**
 * The form as a CampaignDraftInput (see docs/CAMPAIGNS.md). An optional field left empty is sent
 * as null, so saving a draft also clears what the supervisor removed (e.g. the intro, the end).
 */
export function draftFromForm() {
  const kind = selectedKind();
  const input = { name: $('cf-name').value.trim(), kind, audience: audienceFromForm() };
  input.surveyId = kind === 'survey' ? $('cf-survey').value || null : null;
  const zh = $('cf-message-zh').value.trim();
  const en = $('cf-message-en').value.trim();
  input.message = zh || en ? { 'zh-CN': zh, en } : null;
  input.followWithCsat = kind === 'message' ? $('cf-follow-csat').checked : null;
  const startAt = toIso($('cf-start').value);
  if (startAt) input.startAt = startAt;
  input.endAt = toIso($('cf-end').value) ?? null;
  input.quietHours = { start: $('cf-quiet-start').value || '21:00', end: $('cf-quiet-end').value || '09:00' };
  input.frequencyCapDays = Number($('cf-cap').value || 0);
  input.sendRatePerSecond = Number($('cf-rate').value || DEFAULT_SEND_RATE);
  return input;
}

function setChecked(name, values) {
  for (const box of document.querySelectorAll(`input[name="${name}"]`)) box.checked = (values ?? []).includes(box.value);
}

function fillForm(campaign) {
  const c = campaign ?? {};
  $('cf-name').value = c.name ?? '';
  for (const radio of document.querySelectorAll('input[name="cf-kind"]')) radio.checked = radio.value === (c.kind ?? 'survey');
  $('cf-survey').value = c.surveyId ?? $('cf-survey').value;
  $('cf-message-zh').value = c.message?.['zh-CN'] ?? '';
  $('cf-message-en').value = c.message?.en ?? '';
  $('cf-follow-csat').checked = Boolean(c.followWithCsat);
  const audience = c.audience ?? {};
  setChecked('cf-tier', audience.tiers);
  setChecked('cf-language', audience.languages);
  $('cf-tags').value = (audience.tagsAny ?? []).join(', ');
  $('cf-managers').value = (audience.relationshipManagers ?? []).join(', ');
  $('cf-last-contact').value = toDateInput(audience.lastContactBefore);
  $('cf-complaint').value = audience.hasOpenComplaint === undefined ? '' : audience.hasOpenComplaint ? 'yes' : 'no';
  $('cf-start').value = toLocalInput(c.startAt);
  $('cf-end').value = toLocalInput(c.endAt);
  $('cf-quiet-start').value = c.quietHours?.start ?? '21:00';
  $('cf-quiet-end').value = c.quietHours?.end ?? '09:00';
  $('cf-cap').value = String(c.frequencyCapDays ?? 30);
  $('cf-rate').value = String(c.sendRatePerSecond ?? DEFAULT_SEND_RATE);
  showKindFields();
}

/** Survey campaigns pick a survey (the message is an optional intro); message campaigns may add the CSAT question. */
function showKindFields() {
  const survey = selectedKind() === 'survey';
  $('cf-survey-row').hidden = !survey;
  $('cf-csat-row').hidden = survey;
  $('cf-message-hint').textContent = t(survey ? 'form.introHint' : 'form.messageHint');
}

async function loadSurveys() {
  if (!editor.surveys) {
    try {
      editor.surveys = (await api('GET', '/api/console/surveys')).surveys ?? [];
    } catch (error) {
      editor.surveys = null;
      reportFailure(error);
      return;
    }
  }
  renderSurveyOptions();
}

function renderSurveyOptions() {
  const select = $('cf-survey');
  const chosen = select.value || editor.campaign?.surveyId;
  select.replaceChildren();
  for (const survey of editor.surveys ?? []) {
    const option = el('option', survey.title?.[state.lang] ?? survey.title?.en ?? survey.id);
    option.value = survey.id;
    select.append(option);
  }
  if (chosen) select.value = chosen;
}

// ---- errors and notices ----

/** The field paths a validation error names, from whichever shape the details take. */
function problemsOf(details) {
  if (!details) return [];
  const raw = Array.isArray(details) ? details : details.problems ?? details.issues ?? details.fields ?? details.errors ?? [];
  if (!Array.isArray(raw)) return [];
  return raw.map((p) => (typeof p === 'string' ? { path: p } : { path: Array.isArray(p.path) ? p.path.join('.') : String(p.path ?? p.field ?? ''), message: p.message }));
}

function clearFormErrors() {
  $('campaign-form-errors').hidden = true;
  $('campaign-form-error-list').replaceChildren();
  for (const node of $('campaign-form').querySelectorAll('.invalid')) node.classList.remove('invalid');
  for (const node of $('campaign-form').querySelectorAll('[aria-invalid]')) node.removeAttribute('aria-invalid');
}

/** Marks the inputs a field path names; returns the label of the first, for the error list. */
function markField(path) {
  let fieldLabel;
  for (const node of $('campaign-form').querySelectorAll('[data-field]')) {
    const field = node.dataset.field;
    if (path && (path === field || path.startsWith(`${field}.`) || field.startsWith(`${path}.`))) {
      node.classList.add('invalid');
      node.setAttribute('aria-invalid', 'true');
      fieldLabel ??= (node.closest('label') ?? node).querySelector('span')?.textContent;
    }
  }
  return fieldLabel;
}

export function showFormError(error) {
  if (error.status === 401) return reportFailure(error);
  clearFormErrors();
  $('campaign-form-saved').hidden = true;
  const problems = problemsOf(error.details);
  $('campaign-form-error-message').textContent = error.status === 409 ? t('form.conflict', { message: error.message })
    : problems.length ? t('form.invalid') : error.message;
  for (const problem of problems) {
    const name = markField(problem.path) ?? problem.path;
    $('campaign-form-error-list').append(el('li', problem.message ? t('form.problem', { field: name, message: problem.message }) : name));
  }
  $('campaign-form-errors').hidden = false;
}

function showSaved(message) {
  clearFormErrors();
  $('campaign-form-saved').textContent = message;
  $('campaign-form-saved').hidden = !message;
}

// ---- preview ----

function renderPreview(preview) {
  const figures = $('preview-figures');
  figures.replaceChildren();
  for (const key of PREVIEW_FIGURES) {
    const value = el('dd', formatNumber(preview[key] ?? 0));
    value.dataset.testid = `preview-${key}`;
    figures.append(el('dt', t(`preview.${key}`)), value);
  }
  $('preview-panel').hidden = false;
  $('preview-stale').hidden = true;
}

async function requestPreview() {
  const input = draftFromForm();
  const body = { kind: input.kind, audience: input.audience, frequencyCapDays: input.frequencyCapDays };
  if (input.kind === 'message') body.followWithCsat = input.followWithCsat;
  const preview = await api('POST', '/api/console/campaigns/preview', body);
  editor.lastPreview = preview;
  renderPreview(preview);
  return preview;
}

async function preview() {
  try {
    clearFormErrors();
    await requestPreview();
  } catch (error) {
    showFormError(error);
  }
}

// ---- save and launch ----

/** Creates the draft (POST) or saves its changes (PUT); returns the stored campaign. */
async function saveDraft() {
  const input = draftFromForm();
  if (editor.campaign?.id) {
    return (await api('PUT', `/api/console/campaigns/${encodeURIComponent(editor.campaign.id)}`, input)).campaign;
  }
  return (await api('POST', '/api/console/campaigns', input)).campaign;
}

/** Saves the form as the draft; a new draft gets its address, title and Cancel button. */
async function storeDraft() {
  const wasNew = !editor.campaign?.id;
  editor.campaign = await saveDraft();
  if (!wasNew) return;
  $('campaign-editor-title').textContent = t('form.editTitle', { name: editor.campaign.name });
  $('cf-cancel').hidden = false;
  after.saved(editor.campaign);
}

async function withBusy(action) {
  if (editor.busy) return;
  editor.busy = true;
  for (const id of ['cf-preview', 'cf-save', 'cf-launch', 'cf-cancel']) $(id).disabled = true;
  try {
    await action();
  } finally {
    editor.busy = false;
    for (const id of ['cf-preview', 'cf-save', 'cf-launch', 'cf-cancel']) $(id).disabled = false;
  }
}

async function save(event) {
  event?.preventDefault();
  await withBusy(async () => {
    try {
      await storeDraft();
      showSaved(t('form.saved', { name: editor.campaign.name }));
    } catch (error) {
      showFormError(error);
    }
  });
}

/** Asks in a modal dialog; resolves true when the supervisor confirms. */
export function confirmAction(text) {
  const dialog = $('confirm-dialog');
  $('confirm-text').textContent = text;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
  });
}

async function launch() {
  await withBusy(async () => {
    try {
      const input = draftFromForm();
      const counted = await requestPreview();
      const yes = await confirmAction(t('form.confirmLaunch', { name: input.name || t('campaigns.untitled'), reachable: formatNumber(counted.reachable) }));
      if (!yes) return;
      await storeDraft();
      const launched = (await api('POST', `/api/console/campaigns/${encodeURIComponent(editor.campaign.id)}/launch`, {})).campaign;
      after.statusChanged(launched ?? editor.campaign);
    } catch (error) {
      showFormError(error);
    }
  });
}

async function cancelDraft() {
  if (!editor.campaign?.id) return;
  if (!(await confirmAction(t('action.confirmCancel', { name: editor.campaign.name })))) return;
  await withBusy(async () => {
    try {
      const cancelled = (await api('POST', `/api/console/campaigns/${encodeURIComponent(editor.campaign.id)}/cancel`, {})).campaign;
      after.statusChanged(cancelled ?? editor.campaign);
    } catch (error) {
      showFormError(error);
    }
  });
}

function markPreviewStale() {
  if (!$('preview-panel').hidden) $('preview-stale').hidden = false;
}

export function bindForm() {
  $('campaign-form').addEventListener('submit', save);
  $('cf-preview').addEventListener('click', preview);
  $('cf-launch').addEventListener('click', launch);
  $('cf-cancel').addEventListener('click', cancelDraft);
  for (const radio of document.querySelectorAll('input[name="cf-kind"]')) radio.addEventListener('change', () => { showKindFields(); markPreviewStale(); });
  $('campaign-form').addEventListener('change', markPreviewStale);
}

/** Shows the editor for a new campaign (no argument) or for a draft. */
export async function showEditor(campaign) {
  editor.campaign = campaign ?? null;
  editor.lastPreview = null;
  clearFormErrors();
  showSaved('');
  $('preview-panel').hidden = true;
  $('cf-cancel').hidden = !campaign;
  $('campaign-editor-title').textContent = campaign ? t('form.editTitle', { name: campaign.name }) : t('form.newTitle');
  fillForm(campaign);
  await loadSurveys();
  if (campaign?.surveyId) $('cf-survey').value = campaign.surveyId;
}

export function editorLanguageChanged() {
  $('campaign-editor-title').textContent = editor.campaign ? t('form.editTitle', { name: editor.campaign.name }) : t('form.newTitle');
  showKindFields();
  renderSurveyOptions();
  if (editor.lastPreview) renderPreview(editor.lastPreview);
}
