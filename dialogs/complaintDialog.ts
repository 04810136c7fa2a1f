import { ActionTypes } from 'botbuilder';
import {
  WaterfallDialog,
  type Choice, type DialogContext, type DialogTurnResult, type FoundChoice, type PromptValidatorContext, type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { handoffReplyActivity } from './handoffReply';
import { InterruptibleDialog, type InterruptedOutcome, type InterruptionDependencies } from './interruptibleDialog';
import { LocalizedChoicePrompt, choicesNamedIn, isChoiceWording, type LocalizedPromptOptions } from './prompts/localizedChoicePrompt';
import { LocalizedTextPrompt } from './prompts/localizedTextPrompt';
import { turnLanguage } from './turnLanguage';
import { findContact, type Contact } from '../services/contact/contactValidator';
import { formatDateTime } from '../services/i18n/formatters';
import type { Language, Localizer } from '../services/i18n/localizer';
import type { PhoneLinker } from '../services/customers/customerLinker';
import { MAX_DESCRIPTION_LENGTH, type ComplaintService } from '../services/tickets/complaintService';
import { complaintCharCount, readComplaintOpening, type ComplaintOpening } from '../services/tickets/complaintOpening';
import { COMPLAINT_CATEGORIES, SEVERITIES, type ComplaintCategory, type Severity } from '../services/tickets/ticketRepository';

export const COMPLAINT_DIALOG = 'complaintDialog';
const COMPLAINT_WATERFALL = 'complaintDialog.waterfall';
const CATEGORY_PROMPT = 'complaintDialog.category';
const DESCRIPTION_PROMPT = 'complaintDialog.description';
const SEVERITY_PROMPT = 'complaintDialog.severity';
const CONTACT_PROMPT = 'complaintDialog.contact';
const SUMMARY_PROMPT = 'complaintDialog.summary';
/**
 * The steps after the category, where the client describes what went wrong: negative words
 * there are the complaint itself, not a sign the bot is failing them.
 */
export const COMPLAINT_DESCRIBING_STEPS: readonly string[] = [DESCRIPTION_PROMPT, SEVERITY_PROMPT, CONTACT_PROMPT, SUMMARY_PROMPT];

/** Fewer characters than this is re-asked once: staff cannot act on "bad service". */
export const MIN_DESCRIPTION_LENGTH = 10;

/** What the complaint dialog needs besides the interruption handling. */
export interface ComplaintDialogDependencies extends InterruptionDependencies {
  complaints: ComplaintService;
  /** Links the chat user to the one customer holding the phone they gave (optional). */
  customerLinker?: PhoneLinker;
}

/** Answers known before the dialog starts (e.g. the category the recognizer found); asked for otherwise. */
export interface ComplaintDialogOptions {
  category?: ComplaintCategory;
  description?: string;
  customerId?: string;
  /**
   * The message that started the complaint: kept as the description when it already says what
   * happened (services/tickets/complaintOpening.ts), and its category taken when it names exactly one.
   */
  opening?: string;
}

/** How the complaint dialog ended. */
export type ComplaintDialogResult = { outcome: 'completed'; kind: 'complaint'; reference: string } | InterruptedOutcome;

/** The answers so far; a field the client chose to change at the summary is removed and asked again. */
interface ComplaintDraft {
  category?: ComplaintCategory;
  description?: string;
  severity?: Severity;
  contact?: Contact;
}

interface WaterfallOptions {
  draft: ComplaintDraft;
  customerId?: string;
  /** The description was taken from what the client wrote: say it was noted once the category is known. */
  acknowledgeDescription?: boolean;
}

type SummaryChoice = 'submit' | keyof ComplaintDraft;
const SUMMARY_CHOICES: readonly SummaryChoice[] = ['submit', 'category', 'description', 'severity', 'contact'];

/**
 * Takes a complaint: category, description, severity, contact, a summary where any answer
 * can be changed, then files the ticket and gives the reference and the due time. A
 * critical complaint also asks for a person. Each step asks only for what the draft lacks,
 * so "change X" at the summary restarts the waterfall with X removed and comes straight back.
 */
export class ComplaintDialog extends InterruptibleDialog {
  constructor(private readonly complaintDeps: ComplaintDialogDependencies) {
    super(COMPLAINT_DIALOG, complaintDeps, 'complaint.help');
    if (!complaintDeps.complaints) throw new Error(`${COMPLAINT_DIALOG} needs a ComplaintService`);
    const localizer = complaintDeps.localizer;

    this.addDialog(new LocalizedChoicePrompt(CATEGORY_PROMPT, (language) => ({
      prompt: localizer.t(language, 'complaint.askCategory'),
      retry: localizer.t(language, 'complaint.categoryRetry'),
      choices: choicesFor(localizer, language, COMPLAINT_CATEGORIES, 'category', 'categorySynonyms'),
    })));
    this.addDialog(new LocalizedTextPrompt(DESCRIPTION_PROMPT, (language) => ({
      prompt: localizer.t(language, 'complaint.askDescription', { min: MIN_DESCRIPTION_LENGTH }),
    }), (prompt) => this.validateDescription(prompt)));
    this.addDialog(new LocalizedChoicePrompt(SEVERITY_PROMPT, (language) => ({
      prompt: localizer.t(language, 'complaint.askSeverity'),
      retry: localizer.t(language, 'complaint.severityRetry'),
      choices: choicesFor(localizer, language, SEVERITIES, 'severity', 'severitySynonyms'),
    })));
    this.addDialog(new LocalizedTextPrompt(CONTACT_PROMPT, (language) => ({
      prompt: localizer.t(language, 'complaint.askContact'),
      retry: localizer.t(language, 'complaint.contactInvalid'),
    }), async (prompt) => !!findContact(prompt.recognized.value ?? '')));
    this.addDialog(new LocalizedChoicePrompt(SUMMARY_PROMPT, (language, data) => ({
      prompt: this.summaryText(language, data as ComplaintDraft),
      retry: localizer.t(language, 'complaint.summaryRetry'),
      choices: choicesFor(localizer, language, SUMMARY_CHOICES, 'summaryChoice', 'summaryChoiceSynonyms'),
    })));

    this.addDialog(new WaterfallDialog(COMPLAINT_WATERFALL, [
      this.categoryStep.bind(this),
      this.descriptionStep.bind(this),
      this.severityStep.bind(this),
      this.contactStep.bind(this),
      this.summaryStep.bind(this),
      this.fileStep.bind(this),
    ]));
    this.initialDialogId = COMPLAINT_WATERFALL;
  }

  /** Turns the dialog's options into the waterfall's draft on the first run. */
  protected override async onBeginDialog(innerDc: DialogContext, options?: ComplaintDialogOptions): Promise<DialogTurnResult> {
    const draft: ComplaintDraft = {};
    if (options?.category && COMPLAINT_CATEGORIES.includes(options.category)) draft.category = options.category;
    if (options?.description && complaintCharCount(options.description) >= MIN_DESCRIPTION_LENGTH && complaintCharCount(options.description) <= MAX_DESCRIPTION_LENGTH) draft.description = options.description.trim();
    if (options?.opening) {
      // A category is taken from a message that asks to complain or tells the story, not from a bare
      // remark ("你们的服务太差了"), which gets the category question as before.
      const opening = this.readOpening(options.opening);
      const noted = !draft.description && opening.description !== undefined;
      draft.description ??= opening.description;
      if (opening.saysComplaint || opening.description) draft.category ??= this.namedCategory(innerDc, options.opening);
      if (opening.tooLong !== undefined && !draft.description) {
        await innerDc.context.sendActivity(this.t(innerDc, 'complaint.descriptionTooLong', { length: opening.tooLong, max: MAX_DESCRIPTION_LENGTH }));
      }
      return innerDc.beginDialog(COMPLAINT_WATERFALL, { draft, customerId: options?.customerId, acknowledgeDescription: noted } satisfies WaterfallOptions);
    }
    return innerDc.beginDialog(COMPLAINT_WATERFALL, { draft, customerId: options?.customerId } satisfies WaterfallOptions);
  }

  private async categoryStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const draft = this.draft(step);
    if (draft.category) return step.next();
    return step.prompt(CATEGORY_PROMPT, {} satisfies LocalizedPromptOptions);
  }

  private async descriptionStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const draft = this.draft(step);
    const options = step.options as WaterfallOptions;
    if (!draft.category) {
      draft.category = (step.result as FoundChoice).value as ComplaintCategory;
      // A client who answers the category with the whole story has described it already.
      const answer = step.context.activity.text;
      if (!draft.description && typeof answer === 'string' && !isChoiceWording(answer, this.categoryChoices(step))) {
        draft.description = this.readOpening(answer).description;
        options.acknowledgeDescription = draft.description !== undefined;
      }
    }
    // A description taken from what the client wrote is acknowledged once, when the category is known.
    if (options.acknowledgeDescription && draft.description) {
      options.acknowledgeDescription = false;
      await this.acknowledgeDescription(step, draft.category);
    }
    if (draft.description) return step.next();
    return step.prompt(DESCRIPTION_PROMPT, {} satisfies LocalizedPromptOptions);
  }

  private async severityStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const draft = this.draft(step);
    if (!draft.description) draft.description = String(step.result).trim();
    if (draft.severity) return step.next();
    return step.prompt(SEVERITY_PROMPT, {} satisfies LocalizedPromptOptions);
  }

  private async contactStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const draft = this.draft(step);
    if (!draft.severity) draft.severity = (step.result as FoundChoice).value as Severity;
    if (draft.contact) return step.next();
    return step.prompt(CONTACT_PROMPT, {} satisfies LocalizedPromptOptions);
  }

  private async summaryStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const draft = this.draft(step);
    if (!draft.contact) {
      draft.contact = findContact(String(step.result));
      if (draft.contact && draft.contact.kind !== 'email') {
        const { activity } = step.context;
        await this.complaintDeps.customerLinker?.linkByPhone({ channelId: activity.channelId, userId: activity.from.id }, draft.contact.value);
      }
    }
    const options: LocalizedPromptOptions = { data: { ...draft } };
    return step.prompt(SUMMARY_PROMPT, options);
  }

  private async fileStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const draft = this.draft(step);
    const choice = (step.result as FoundChoice).value as SummaryChoice;
    if (choice !== 'submit') {
      const { [choice]: _changed, ...kept } = draft;
      return step.replaceDialog(COMPLAINT_WATERFALL, { draft: kept, customerId: (step.options as WaterfallOptions).customerId } satisfies WaterfallOptions);
    }

    const activity = step.context.activity;
    const language = turnLanguage(step.context);
    const customerId = (step.options as WaterfallOptions).customerId;
    const ticket = await this.complaintDeps.complaints.fileComplaint({
      channelId: activity.channelId,
      userId: activity.from.id,
      conversationId: activity.conversation.id,
      ...(customerId ? { customerId } : {}),
      language,
      category: draft.category!,
      description: draft.description!,
      severity: draft.severity!,
      contact: draft.contact!,
    });
    const due = formatDateTime(ticket.slaDueAt, language, this.complaintDeps.complaints.timeZone);
    await step.context.sendActivity(this.t(step, 'complaint.filed', { reference: ticket.reference, due }));

    if (ticket.severity === 'critical') {
      // A client about to lose money should not wait for the SLA: a person is asked for now.
      const handoff = await this.deps.handoff.requestHandoff({
        channelId: activity.channelId,
        conversationId: activity.conversation.id,
        userId: activity.from.id,
        language,
        reason: 'critical_complaint',
        detail: ticket.reference,
      });
      await step.context.sendActivity(this.t(step, 'complaint.criticalHandoff', { reference: ticket.reference }));
      // Where the client stands: their place and wait, or a callback when staff are off duty.
      if (handoff.queued || handoff.offerCallback) {
        await step.context.sendActivity(handoffReplyActivity(this.deps.localizer, language, handoff, this.deps.timeZone));
      }
    }
    return step.endDialog({ outcome: 'completed', kind: 'complaint', reference: ticket.reference } satisfies ComplaintDialogResult);
  }

  /**
   * Re-asks a description shorter than the minimum once (and one over the maximum until it
   * fits). On the second try any non-empty text is accepted (a short complaint is better than a client who gives up, and staff
   * call back anyway); an empty one keeps being asked for, since a ticket needs content.
   */
  private async validateDescription(prompt: PromptValidatorContext<string>): Promise<boolean> {
    const length = complaintCharCount(prompt.recognized.value ?? '');
    const language = turnLanguage(prompt.context);
    if (length > MAX_DESCRIPTION_LENGTH) {
      await prompt.context.sendActivity(this.complaintDeps.localizer.t(language, 'complaint.descriptionTooLong', { length, max: MAX_DESCRIPTION_LENGTH }));
      return false;
    }
    if (length >= MIN_DESCRIPTION_LENGTH) return true;
    if (length > 0 && prompt.attemptCount >= 2) return true;
    const key = length === 0 ? 'complaint.descriptionEmpty' : 'complaint.descriptionTooShort';
    await prompt.context.sendActivity(this.complaintDeps.localizer.t(language, key, { length, min: MIN_DESCRIPTION_LENGTH }));
    return false;
  }

  /** Says the description was taken from what the client already wrote, so they know not to repeat it. */
  private async acknowledgeDescription(dc: DialogContext, category: ComplaintCategory): Promise<void> {
    await dc.context.sendActivity(this.t(dc, 'complaint.descriptionNoted', { category: this.t(dc, `complaint.category.${category}`) }));
  }

  /** The one category a text names through the category words (either language); undefined when none or several. */
  private namedCategory(dc: DialogContext, text: string): ComplaintCategory | undefined {
    const named = choicesNamedIn(text, this.categoryChoices(dc));
    return named.length === 1 ? named[0] as ComplaintCategory : undefined;
  }

  /** The categories as choices, with every language's words for them. */
  private categoryChoices(dc: DialogContext): Choice[] {
    return choicesFor(this.complaintDeps.localizer, turnLanguage(dc.context), COMPLAINT_CATEGORIES, 'category', 'categorySynonyms');
  }

  /** Whether the text asks to complain, and the description it holds (services/tickets/complaintOpening.ts). */
  private readOpening(text: string): ComplaintOpening {
    const { localizer } = this.complaintDeps;
    const phrases = (['zh-CN', 'en'] as const).flatMap((language) => localizer.list(language, 'complaint.openingPhrases'));
    return readComplaintOpening(text, phrases, MIN_DESCRIPTION_LENGTH, MAX_DESCRIPTION_LENGTH);
  }



  private summaryText(language: Language, draft: ComplaintDraft): string {
    const { localizer } = this.complaintDeps;
    return localizer.t(language, 'complaint.summary', {
      category: localizer.t(language, `complaint.category.${draft.category}`),
      description: draft.description ?? '',
      severity: localizer.t(language, `complaint.severity.${draft.severity}`),
      contact: draft.contact?.value ?? '',
    });
  }

  private draft(step: WaterfallStepContext): ComplaintDraft {
    const values = step.values as { draft?: ComplaintDraft };
    values.draft ??= { ...(step.options as WaterfallOptions).draft };
    return values.draft;
  }
}

/**
 * Buttons titled in `language`, recognised in both languages: a client who switched
 * language, or simply types in the other one, is still understood.
 */
function choicesFor(localizer: Localizer, language: Language, values: readonly string[], titleKey: string, synonymsKey: string): Choice[] {
  return values.map((value) => {
    const title = localizer.t(language, `complaint.${titleKey}.${value}`);
    const synonyms = (['zh-CN', 'en'] as const).flatMap((l) => [
      localizer.t(l, `complaint.${titleKey}.${value}`),
      ...localizer.list(l, `complaint.${synonymsKey}.${value}`),
    ]);
    return { value, action: { type: ActionTypes.ImBack, title, value: title }, synonyms };
  });
}

