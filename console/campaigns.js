/* global window */
// Campaigns page (supervisors): the list with status and counts, and per campaign either the
// editor (a draft) or the detail with live results (launched). Routes: #/campaigns,
// #/campaigns/new, #/campaigns/:id.
import { $, state, label, el, api, reportFailure, formatNumber, formatDateTime, statusBadge } from './common.js';
import { bindForm, showEditor, editorLanguageChanged, onCampaignSaved, onCampaignStatusChanged } from './campaignForm.js';
import { bindResults, showResults, stopResults, resultsLanguageChanged } from './campaignResults.js';

const VIEWS = ['campaign-list-view', 'campaign-editor-view', 'campaign-detail-view'];
const listing = { campaigns: [], loaded: false };
let shownView = null;

function showView(id) {
  shownView = id;
  for (const view of VIEWS) $(view).hidden = view !== id;
}

const recipientsIn = (counts) => Object.values(counts ?? {}).reduce((sum, n) => sum + (Number(n) || 0), 0);
/** Recipients the channel accepted so far: sent, answered, or opted out after the send. */
const sentIn = (counts) => (counts?.sent ?? 0) + (counts?.responded ?? 0) + (counts?.opted_out ?? 0);

function campaignRow(campaign) {
  const row = el('tr');
  row.dataset.campaignId = campaign.id;
  const name = el('td');
  const link = el('a', campaign.name);
  link.href = `#/campaigns/${encodeURIComponent(campaign.id)}`;
  name.append(link);
  const status = el('td');
  status.append(statusBadge('status', campaign.status));
  row.append(
    name,
    el('td', label('kind', campaign.kind)),
    status,
    el('td', formatDateTime(campaign.startAt)),
    el('td', formatNumber(recipientsIn(campaign.counts))),
    el('td', formatNumber(sentIn(campaign.counts))),
    el('td', formatNumber(campaign.counts?.responded ?? 0)),
  );
  return row;
}

function renderList() {
  $('campaign-table').querySelector('tbody').replaceChildren(...listing.campaigns.map(campaignRow));
  $('campaign-empty').hidden = !listing.loaded || listing.campaigns.length > 0;
}

async function loadList() {
  try {
    listing.campaigns = (await api('GET', '/api/console/campaigns')).campaigns ?? [];
    listing.loaded = true;
    renderList();
  } catch (error) {
    reportFailure(error);
  }
}

async function showCampaign(id) {
  try {
    const { campaign, counts } = await api('GET', `/api/console/campaigns/${encodeURIComponent(id)}`);
    if (campaign.status === 'draft') {
      showView('campaign-editor-view');
      await showEditor(campaign);
    } else {
      showView('campaign-detail-view');
      await showResults(campaign, counts);
    }
  } catch (error) {
    reportFailure(error);
  }
}

/** Shows a campaign's page (also when the address is already the campaign's: no hashchange then). */
function goTo(campaign) {
  const target = `#/campaigns/${encodeURIComponent(campaign.id)}`;
  if (window.location.hash === target) campaignsPage.show([campaign.id]);
  else window.location.hash = target;
}

export const campaignsPage = {
  needsSupervisor: true,

  bind() {
    bindForm();
    bindResults();
    // A new draft gets its own address (a reload keeps it); a launch or cancel shows the detail.
    onCampaignSaved((campaign) => window.history.replaceState(null, '', `#/campaigns/${encodeURIComponent(campaign.id)}`));
    onCampaignStatusChanged(goTo);
  },

  show([id]) {
    stopResults();
    if (!id) {
      showView('campaign-list-view');
      return loadList();
    }
    if (id === 'new') {
      showView('campaign-editor-view');
      return showEditor();
    }
    return showCampaign(id);
  },

  hide() {
    stopResults();
  },

  languageChanged() {
    if (!state.me) return;
    if (listing.loaded) renderList();
    if (shownView === 'campaign-editor-view') editorLanguageChanged();
    if (shownView === 'campaign-detail-view') resultsLanguageChanged();
  },
};
