import { AppError } from '../../services/appError';
import type { Campaign, CampaignRecipient, CampaignStatus } from '../../services/campaigns/campaign';

/** Fields `updateDraft` never touches: identity, lifecycle and authorship. */
const NOT_EDITABLE: ReadonlySet<string> = new Set(['id', 'status', 'createdBy', 'createdAt', 'launchedAt', 'completedAt', 'materialisedAt']);

/** The editable fields of a draft edit: `$set` for given values, `$unset` for keys given as undefined (a removed end date). */
export function draftChanges(fields: Partial<Campaign>): { set: Record<string, unknown>; unset: string[] } {
  const set: Record<string, unknown> = {};
  const unset: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (NOT_EDITABLE.has(key)) continue;
    if (value === undefined) unset.push(key); else set[key] = value;
  }
  return { set, unset };
}

/** Values given as undefined are left out, so they never overwrite a stored field. */
export function definedOnly<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The fields a transition sets besides the status (its time stamps, `materialisedAt`...): anything but identity. */
export function transitionFields(extra: Partial<Campaign>): Record<string, unknown> {
  const { id: _id, status: _status, ...rest } = definedOnly(extra);
  return rest;
}

export const notDraft = () => AppError.conflict('campaign_not_draft', 'Only a draft campaign can be edited');
export const noCampaign = () => AppError.notFound('campaign_not_found', 'No such campaign');

/** A campaign as stored, without storage fields (`_id`, `version`) or nulls. */
export function toCampaign(doc: Record<string, any>): Campaign {
  const { _id, version: _version, ...rest } = doc;
  for (const key of Object.keys(rest)) if (rest[key] === null || rest[key] === undefined) delete rest[key];
  return { ...rest, id: rest.id ?? _id } as Campaign;
}

/** The recipient's document key: one record per (campaign, customer), so the key itself is the uniqueness. */
export function recipientKey(campaignId: string, customerId: string): string {
  return `${campaignId}:${customerId}`;
}

export function toRecipient(doc: Record<string, any>): CampaignRecipient {
  const { _id, ...rest } = doc;
  for (const key of Object.keys(rest)) if (rest[key] === null || rest[key] === undefined) delete rest[key];
  return rest as CampaignRecipient;
}

/** Stored form of a recipient: the key as `_id`, absent optional fields left out. */
export function recipientDocument(r: CampaignRecipient): Record<string, unknown> {
  return { ...definedOnly(r), _id: recipientKey(r.campaignId, r.customerId) };
}

export function statusIn(campaign: Pick<Campaign, 'status'>, from: CampaignStatus[]): boolean {
  return from.includes(campaign.status);
}

/** How many recipient records one storage call writes during a launch. */
export const RECIPIENT_INSERT_BATCH = 500;
