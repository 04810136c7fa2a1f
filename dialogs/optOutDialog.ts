import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import type { Localizer } from '../services/i18n/localizer';
import type { OptOutService } from '../services/campaigns/optOutService';
import { turnLanguage } from './turnLanguage';

export const OPT_OUT_DIALOG = 'optOutDialog';

/** What the opt-out dialog needs. */
export interface OptOutDialogDependencies {
  localizer: Localizer;
  optOut: Pick<OptOutService, 'optOut'>;
}

/** How it ended: always opted out (the rule lives in the service). */
export interface OptOutDialogResult {
  outcome: 'opted_out';
}

/**
 * "Stop / 退订": records the opt-out for this chat identity and confirms, in the client's
 * language, that no more surveys or greetings will come, how to subscribe again, and that
 * service chat goes on. One turn, no question.
 */
export class OptOutDialog extends Dialog {
  constructor(private readonly deps: OptOutDialogDependencies) {
    super(OPT_OUT_DIALOG);
    if (!deps?.localizer || !deps.optOut) throw new Error(`${OPT_OUT_DIALOG} needs a localizer and the opt-out service`);
  }

  override async beginDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const { channelId, from } = dc.context.activity;
    await this.deps.optOut.optOut({ channelId, userId: from.id });
    await dc.context.sendActivity(this.deps.localizer.t(turnLanguage(dc.context), 'campaign.optOutConfirmed'));
    return dc.endDialog({ outcome: 'opted_out' } satisfies OptOutDialogResult);
  }
}
