import { ActivityTypes } from 'botbuilder';
import { ComponentDialog, WaterfallDialog, type Dialog, type DialogContext, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { campaignResponseSurveyId } from '../services/campaigns/campaign';
import type { CampaignResponses } from '../services/campaigns/campaignResponses';
import type { InterruptionDetector } from '../services/conversation/interruptionDetector';
import type { Localizer } from '../services/i18n/localizer';
import { CAMPAIGN_DIALOG, type CampaignDialogOptions } from './campaignDialogOptions';
import { OPT_OUT_DIALOG, type OptOutDialog } from './optOutDialog';
import { FOLLOW_THROUGH_DIALOG } from './followThroughDialog';
import { isRerouted } from './interruptibleDialog';
import { QUICK_CSAT_DIALOG, type QuickCsatDialog, type QuickCsatDialogOptions, type QuickCsatDialogResult } from './quickCsatDialog';
import { SURVEY_DIALOG, type SurveyDialog, type SurveyDialogOptions, type SurveyDialogResult } from './surveyDialog';
import { turnLanguage } from './turnLanguage';

export { CAMPAIGN_DIALOG };
const WATERFALL = 'campaignDialog.waterfall';

/** What the campaign dialog needs: the dialogs it runs and where answers are recorded. */
export interface CampaignDialogDependencies {
  localizer: Localizer;
  interruptions: Pick<InterruptionDetector, 'isOptOut'>;
  survey: SurveyDialog;
  quickCsat: QuickCsatDialog;
  optOut: OptOutDialog;
  responses: Pick<CampaignResponses, 'markResponded'>;
  /** When given, a poor score is followed through (a task, and a callback offered) once the answer is recorded. */
  followThrough?: Dialog;
}

/** How the campaign's conversation ended. */
export type CampaignDialogResult =
  | { outcome: 'delivered' }
  | { outcome: 'responded' }
  | { outcome: 'not_responded' }
  | { outcome: 'opted_out' }
  /** The client typed a new request instead of answering: not responded, and the main dialog routes the message. */
  | { outcome: 'rerouted' };

/**
 * A campaign in the client's conversation, started by the sender outside a client's turn:
 * a message (optionally followed by the one-question CSAT) or a survey, whose answers are
 * stored under the campaign (`campaign:<id>`, meta `{ campaignId }`). The questions wait for the
 * client's next message; when the survey is done or the CSAT given, the recipient is marked
 * responded. "Stop / 退订" at any point opts the client out instead of answering.
 */
export class CampaignDialog extends ComponentDialog {
  constructor(private readonly deps: CampaignDialogDependencies) {
    super(CAMPAIGN_DIALOG);
    if (!deps?.localizer || !deps.interruptions || !deps.survey || !deps.quickCsat || !deps.optOut || !deps.responses) {
      throw new Error(`${CAMPAIGN_DIALOG} needs localizer, interruptions, survey, quickCsat, optOut and responses`);
    }
    this.addDialog(deps.survey);
    this.addDialog(deps.quickCsat);
    this.addDialog(deps.optOut);
    if (deps.followThrough) this.addDialog(deps.followThrough);
    this.addDialog(new WaterfallDialog(WATERFALL, [this.deliverStep.bind(this), this.recordStep.bind(this), this.endStep.bind(this)]));
    this.initialDialogId = WATERFALL;
  }

  /** An opt-out wins over any answer, in the middle of the survey too. */
  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    const activity = innerDc.context.activity;
    if (activity.type === ActivityTypes.Message && this.deps.interruptions.isOptOut(activity.text)) {
      await innerDc.cancelAllDialogs();
      return innerDc.beginDialog(OPT_OUT_DIALOG);
    }
    return super.onContinueDialog(innerDc);
  }

  /** Sends the message (and asks the CSAT), or starts the survey under the campaign. */
  private async deliverStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as CampaignDialogOptions;
    if (!options?.campaignId || !options.customerId) throw new Error(`${CAMPAIGN_DIALOG} needs a campaignId and a customerId`);
    const stored = {
      responseSurveyId: campaignResponseSurveyId(options.campaignId), meta: { campaignId: options.campaignId }, respondentKey: options.customerId, deferFollowThrough: true,
    };
    if (options.kind === 'survey') {
      if (!options.surveyId) throw new Error(`${CAMPAIGN_DIALOG} needs a surveyId for a survey campaign`);
      return step.beginDialog(SURVEY_DIALOG, {
        surveyId: options.surveyId, ...stored, letGoOnUnanswered: true, ...(options.message ? { intro: options.message } : {}),
      } satisfies SurveyDialogOptions);
    }
    const language = turnLanguage(step.context);
    await step.context.sendActivity(options.message?.[language] ?? this.deps.localizer.t(language, 'campaign.messageMissing'));
    if (!options.followWithCsat) return step.endDialog({ outcome: 'delivered' } satisfies CampaignDialogResult);
    return step.beginDialog(QUICK_CSAT_DIALOG, { context: 'campaign', reference: options.campaignId, ...stored } satisfies QuickCsatDialogOptions);
  }

  /**
   * A completed survey or a given rating makes the recipient 'responded' at once (a client who
   * then leaves the callback offer unanswered has still responded), then a poor score is followed
   * through (for a client the survey let go: the task only, no offer).
   */
  private async recordStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const options = step.options as CampaignDialogOptions;
    const result = step.result as SurveyDialogResult | QuickCsatDialogResult | undefined;
    // A new request instead of an answer: the main dialog routes it once a poor score so far has reached the manager.
    if (isRerouted(result)) (step.values as { rerouted?: boolean }).rerouted = true;
    const responded = answered(result);
    (step.values as { outcome?: CampaignDialogResult['outcome'] }).outcome = responded ? 'responded' : 'not_responded';
    if (responded) await this.deps.responses.markResponded(options.campaignId, options.customerId);
    const followThrough = result && 'followThrough' in result ? result.followThrough : undefined;
    if (!followThrough || !this.deps.followThrough) return step.next();
    return step.beginDialog(FOLLOW_THROUGH_DIALOG, followThrough);
  }

  private async endStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    // The client left the survey, or the callback offer after answering, with a new request (responded is recorded already).
    if ((step.values as { rerouted?: boolean }).rerouted || isRerouted(step.result)) return step.endDialog({ outcome: 'rerouted' } satisfies CampaignDialogResult);
    return step.endDialog({ outcome: (step.values as { outcome: 'responded' | 'not_responded' }).outcome } satisfies CampaignDialogResult);
  }
}

/** The survey reached its end with at least one answer, or the CSAT was given. */
function answered(result: SurveyDialogResult | QuickCsatDialogResult | undefined): boolean {
  if (!result) return false;
  if (result.outcome === 'answered') return true;
  if (result.outcome === 'completed') return true;
  if (result.outcome === 'partial' && 'answers' in result) return Object.values(result.answers).some((a) => a !== null && a !== undefined);
  return false;
}
