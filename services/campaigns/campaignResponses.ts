import type { CampaignRecipientRepository, RecipientState } from './campaign';

/** States a recipient may answer from: the message was (or was being) handed to the channel. */
const ANSWERABLE: readonly RecipientState[] = ['sending', 'sent', 'failed'];

/**
 * Records that a campaign's client answered (survey completed, or the CSAT given): the
 * recipient becomes 'responded' with the instant. A recipient who opted out, was never sent
 * the message, or already answered is left as it is, so answering again keeps the first instant.
 */
export class CampaignResponses {
  constructor(
    private readonly recipients: Pick<CampaignRecipientRepository, 'get' | 'update'>,
    private readonly now: () => Date = () => new Date(),
  ) {
    if (!recipients) throw new Error('CampaignResponses needs the recipient repository');
  }

  /** Marks the recipient responded; true when this call changed its state. */
  async markResponded(campaignId: string, customerId: string): Promise<boolean> {
    const recipient = await this.recipients.get(campaignId, customerId);
    if (!recipient || !ANSWERABLE.includes(recipient.state)) return false;
    await this.recipients.update(campaignId, customerId, { state: 'responded', respondedAt: this.now() });
    return true;
  }
}
