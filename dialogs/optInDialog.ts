import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import type { Localizer } from '../services/i18n/localizer';
import type { OptOutService } from '../services/campaigns/optOutService';
import { turnLanguage } from './turnLanguage';

export const OPT_IN_DIALOG = 'optInDialog';

/** What the opt-in dialog needs. */
export interface OptInDialogDependencies {
  localizer: Localizer;
  optOut: Pick<OptOutService, 'optIn'>;
}

/**
 * "Subscribe / 订阅" after an opt-out: gives consent to surveys and greetings back (the rule is in
 * OptOutService) and confirms, with how to stop them again. One turn, no question.
 */
export class OptInDialog extends Dialog {
  constructor(private readonly deps: OptInDialogDependencies) {
    super(OPT_IN_DIALOG);
    if (!deps?.localizer || !deps.optOut) throw new Error(`${OPT_IN_DIALOG} needs a localizer and the opt-out service`);
  }

  override async beginDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const { channelId, from } = dc.context.activity;
    await this.deps.optOut.optIn({ channelId, userId: from.id });
    await dc.context.sendActivity(this.deps.localizer.t(turnLanguage(dc.context), 'campaign.optInConfirmed'));
    return dc.endDialog({ outcome: 'opted_in' });
  }
}
