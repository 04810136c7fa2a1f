import { WaterfallDialog, type DialogContext, type DialogTurnResult, type PromptValidatorContext, type WaterfallStepContext } from 'botbuilder-dialogs';
import { InterruptibleDialog, type InterruptedOutcome } from './interruptibleDialog';
import type { ComplaintDialogDependencies } from './complaintDialog';
import { LocalizedTextPrompt } from './prompts/localizedTextPrompt';
import { turnLanguage } from './turnLanguage';
import { formatDateTime } from '../services/i18n/formatters';
import { findReference } from '../services/tickets/referenceGenerator';
import type { Ticket } from '../services/tickets/ticketRepository';

export const COMPLAINT_STATUS_DIALOG = 'complaintStatusDialog';
const STATUS_WATERFALL = 'complaintStatusDialog.waterfall';
const REFERENCE_PROMPT = 'complaintStatusDialog.reference';
/** After this many unrecognisable answers the dialog stops asking. */
const REFERENCE_ATTEMPTS = 2;

/** "status of CMP-20261129-4F7Q" passes the reference; "我的投诉进度" passes none. */
export interface ComplaintStatusDialogOptions {
  reference?: string;
}

/** How the status lookup ended: which references were shown (none when not found). */
export type ComplaintStatusDialogResult = { outcome: 'completed'; kind: 'complaintStatus'; references: string[] } | InterruptedOutcome;

/**
 * Shows a complaint's status and due time, only to the channel user who filed it: anyone
 * else is told it was not found, exactly as for a reference that does not exist, so the
 * answer gives nothing away. Without a reference it lists the user's open complaints, and
 * asks for a reference only when there are none.
 */
export class ComplaintStatusDialog extends InterruptibleDialog {
  constructor(private readonly statusDeps: ComplaintDialogDependencies) {
    super(COMPLAINT_STATUS_DIALOG, statusDeps, 'complaint.status.help');
    if (!statusDeps.complaints) throw new Error(`${COMPLAINT_STATUS_DIALOG} needs a ComplaintService`);
    this.addDialog(new LocalizedTextPrompt(REFERENCE_PROMPT, (language) => ({
      prompt: statusDeps.localizer.t(language, 'complaint.status.askReference'),
      retry: statusDeps.localizer.t(language, 'complaint.status.referenceInvalid'),
    }), async (prompt: PromptValidatorContext<string>) => !!findReference(prompt.recognized.value ?? '', 'CMP') || prompt.attemptCount >= REFERENCE_ATTEMPTS));
    this.addDialog(new WaterfallDialog(STATUS_WATERFALL, [this.referenceStep.bind(this), this.statusStep.bind(this)]));
    this.initialDialogId = STATUS_WATERFALL;
  }

  protected override async onBeginDialog(innerDc: DialogContext, options?: ComplaintStatusDialogOptions): Promise<DialogTurnResult> {
    return innerDc.beginDialog(STATUS_WATERFALL, { reference: options?.reference });
  }

  private async referenceStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const given = findReference((step.options as ComplaintStatusDialogOptions).reference ?? '', 'CMP');
    if (given) return step.next(given);
    const { channelId, from } = step.context.activity;
    const open = await this.statusDeps.complaints.listOpenForUser(channelId, from.id);
    if (open.length === 0) return step.prompt(REFERENCE_PROMPT, {});
    const lines = [this.t(step, 'complaint.status.listHeader', { count: open.length }), ...open.map((ticket) => this.listItem(step, ticket))];
    await step.context.sendActivity(lines.join('\n'));
    return step.endDialog({ outcome: 'completed', kind: 'complaintStatus', references: open.map((t) => t.reference) } satisfies ComplaintStatusDialogResult);
  }

  private async statusStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const reference = findReference(String(step.result ?? ''), 'CMP');
    if (!reference) {
      await step.context.sendActivity(this.t(step, 'complaint.status.referenceNotRecognised'));
      return step.endDialog({ outcome: 'completed', kind: 'complaintStatus', references: [] } satisfies ComplaintStatusDialogResult);
    }
    const { channelId, from } = step.context.activity;
    const ticket = await this.statusDeps.complaints.getStatusForUser(reference, channelId, from.id);
    if (!ticket) {
      await step.context.sendActivity(this.t(step, 'complaint.status.notFound', { reference }));
      return step.endDialog({ outcome: 'completed', kind: 'complaintStatus', references: [] } satisfies ComplaintStatusDialogResult);
    }
    const found = this.t(step, 'complaint.status.found', {
      reference: ticket.reference,
      category: this.t(step, `complaint.category.${ticket.category}`),
      status: this.t(step, `complaint.statusName.${ticket.status}`),
      createdAt: this.format(step, ticket.createdAt),
      due: this.format(step, ticket.slaDueAt),
    });
    // A resolved (or since closed) complaint tells the client what was done and when, as staff wrote it.
    const resolution = ticket.resolvedAt && ticket.resolutionNote
      ? `\n${this.t(step, 'complaint.status.resolution', { resolvedAt: this.format(step, ticket.resolvedAt), note: ticket.resolutionNote })}`
      : '';
    await step.context.sendActivity(found + resolution);
    return step.endDialog({ outcome: 'completed', kind: 'complaintStatus', references: [ticket.reference] } satisfies ComplaintStatusDialogResult);
  }

  private listItem(step: WaterfallStepContext, ticket: Ticket): string {
    return this.t(step, 'complaint.status.listItem', {
      reference: ticket.reference,
      category: this.t(step, `complaint.category.${ticket.category}`),
      status: this.t(step, `complaint.statusName.${ticket.status}`),
      due: this.format(step, ticket.slaDueAt),
    });
  }

  private format(step: WaterfallStepContext, instant: Date): string {
    return formatDateTime(instant, turnLanguage(step.context), this.statusDeps.complaints.timeZone);
  }
}
