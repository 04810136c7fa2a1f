import type { BilingualText, CampaignKind } from '../services/campaigns/campaign';

/** Id of the dialog a campaign delivery starts in the client's conversation (outside a client's turn). */
export const CAMPAIGN_DIALOG = 'campaignDialog';

/**
 * What the campaign sender passes when it starts {@link CAMPAIGN_DIALOG}: the dialog sends the
 * message (or the survey's intro and first question) in the client's language and records the answer.
 */
export interface CampaignDialogOptions {
  campaignId: string;
  customerId: string;
  kind: CampaignKind;
  /** For kind 'survey'. */
  surveyId?: string;
  /** The message (kind 'message') or an intro replacing the survey's (kind 'survey'). */
  message?: BilingualText;
  /** For kind 'message': ask the one-question CSAT after it. */
  followWithCsat?: boolean;
}
