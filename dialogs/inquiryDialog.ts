import { ActionTypes, InputHints, MessageFactory, type Activity, type TurnContext } from 'botbuilder';
import {
  TextPrompt, WaterfallDialog,
  type DialogContext, type DialogTurnResult, type PromptOptions, type PromptValidatorContext, type WaterfallStepContext,
} from 'botbuilder-dialogs';
import { InterruptibleDialog, type InterruptionDependencies } from './interruptibleDialog';
import { turnLanguage } from './turnLanguage';
import { handoffReplyActivity } from './handoffReply';
import { LANGUAGES, type Localizer } from '../services/i18n/localizer';
import { formatDateTime, formatMoney } from '../services/i18n/formatters';
import type { KnowledgeArticle, KnowledgeBase } from '../services/knowledge/knowledgeBase';
import type { InquiryFeedbackService } from '../services/knowledge/inquiryFeedbackService';
import { extractApplicationNumber, type LoanApplicationLookup } from '../services/loans/loanApplicationLookup';
import type { LoanApplication } from '../services/loans/loanApplicationRepository';

export const INQUIRY_DIALOG = 'inquiryDialog';
const ANSWER_WATERFALL = 'inquiryDialog.answer';
const STATUS_WATERFALL = 'inquiryDialog.applicationStatus';
const OFFER_PERSON_WATERFALL = 'inquiryDialog.offerPerson';
const SUGGESTION_PROMPT = 'inquiryDialog.suggestionPrompt';
const YES_NO_PROMPT = 'inquiryDialog.yesNoPrompt';
const APPLICATION_NUMBER_PROMPT = 'inquiryDialog.applicationNumberPrompt';

/** The intent whose answer is a lookup, not an article. */
export const APPLICATION_STATUS_INTENT = 'inquiry_application_status';
/** Unhelpful answers in a row after which the client is offered a person. */
const UNHELPFUL_LIMIT = 2;
/** A prompt that still can't be understood after this many tries moves on rather than loop. */
const MAX_ATTEMPTS = 3;

/** How the inquiry starts: with a recognised intent, a chosen article, or only the question. */
export interface InquiryDialogOptions {
  /** The NLU intent (e.g. inquiry_rates); its primary article answers. */
  intent?: string;
  /** What the client typed; used for suggestions and stored with the feedback. */
  question: string;
  /** An article the client already chose (e.g. from a menu). */
  articleId?: string;
  /** Unhelpful answers in a row earlier in this conversation (from the previous result). */
  unhelpfulInARow?: number;
}

/** How the inquiry ended. `unhelpfulInARow` is to be passed into the next inquiry's options. */
export type InquiryDialogResult =
  | { outcome: 'answered'; articleId: string; helpful?: boolean; unhelpfulInARow: number }
  | { outcome: 'no_match' }
  | { outcome: 'handoff' }
  | { outcome: 'cancelled' }
  | { outcome: 'rerouted' };

/** What the inquiry dialog needs besides the interruption handling. */
export interface InquiryDialogDependencies extends InterruptionDependencies {
  knowledgeBase: KnowledgeBase;
  feedback: Pick<InquiryFeedbackService, 'record'> & Partial<Pick<InquiryFeedbackService, 'recordUnanswered'>>;
  applications: LoanApplicationLookup;
}

/** The state one pass through the answer waterfall carries (it restarts itself to offer other articles). */
interface AnswerRound {
  question: string;
  intent?: string;
  articleId?: string;
  unhelpfulInARow: number;
  /** Articles already answered in this inquiry, never suggested again. */
  shown: string[];
}

/** What a prompt shows, kept as data so a re-prompt after a language switch renders in the new language. */
type PromptSpec =
  | { kind: 'suggestions'; articleIds: string[]; afterUnhelpful: boolean }
  | { kind: 'helpful' }
  | { kind: 'offerPerson' }
  | { kind: 'applicationNumber' };

/**
 * Answers a client's question from the knowledge base: a recognised intent gets its article,
 * a vague question gets the three most similar articles to choose from. After each answer the
 * client says whether it helped (recorded for the analytics); a "no" brings other suggestions,
 * and a second "no" in a row offers a person. "Where is my application?" is a lookup shown only
 * to the client the application belongs to.
 */
export class InquiryDialog extends InterruptibleDialog {
  constructor(private readonly inquiry: InquiryDialogDependencies) {
    super(INQUIRY_DIALOG, inquiry, 'inquiry.help');
    if (!inquiry.knowledgeBase || !inquiry.feedback || !inquiry.applications) throw new Error('InquiryDialog needs knowledgeBase, feedback and applications');
    const render = (context: TurnContext, spec: PromptSpec, isRetry: boolean) => this.renderPrompt(context, spec, isRetry);
    this.addDialog(new SpecPrompt(SUGGESTION_PROMPT, render, async (prompt) => prompt.attemptCount >= MAX_ATTEMPTS || this.parseSuggestion(prompt.recognized.value ?? '', specOf(prompt).articleIds) !== undefined));
    this.addDialog(new SpecPrompt(YES_NO_PROMPT, render, async (prompt) => prompt.attemptCount >= MAX_ATTEMPTS
      || this.parseReply(specIn(prompt.options), prompt.recognized.value ?? '') !== undefined));
    this.addDialog(new SpecPrompt(APPLICATION_NUMBER_PROMPT, render, async (prompt) => prompt.attemptCount >= MAX_ATTEMPTS || extractApplicationNumber(prompt.recognized.value ?? '') !== undefined));
    this.addDialog(new WaterfallDialog(ANSWER_WATERFALL, [
      this.whichArticleStep.bind(this),
      this.answerStep.bind(this),
      this.helpfulStep.bind(this),
    ]));
    this.addDialog(new WaterfallDialog(STATUS_WATERFALL, [
      this.applicationNumberStep.bind(this),
      this.applicationStatusStep.bind(this),
    ]));
    this.addDialog(new WaterfallDialog(OFFER_PERSON_WATERFALL, [
      this.offerPersonStep.bind(this),
      this.personDecisionStep.bind(this),
    ]));
  }

  /** A suggestion list, "did this help?", the offer of a person or the application number, answered with something that is none of those. */
  protected override awaitsClosedAnswerNotGiven(innerDc: DialogContext): boolean {
    const activity = innerDc.context.activity;
    const text = typeof activity.text === 'string' ? activity.text : '';
    const active = innerDc.activeDialog;
    if (!text.trim() || !active) return false;
    switch (active.id) {
      case YES_NO_PROMPT: return this.parseReply(specIn((active.state as { options?: PromptOptions }).options), text) === undefined;
      case SUGGESTION_PROMPT: {
        const spec = specIn((active.state as { options?: PromptOptions }).options);
        return this.parseSuggestion(text, spec?.kind === 'suggestions' ? spec.articleIds : []) === undefined;
      }
      case APPLICATION_NUMBER_PROMPT: return extractApplicationNumber(text) === undefined;
      default: return false;
    }
  }

  protected override async onBeginDialog(innerDc: DialogContext, options?: InquiryDialogOptions): Promise<DialogTurnResult> {
    const question = options?.question ?? innerDc.context.activity.text ?? '';
    const chosen = options?.articleId ? this.inquiry.knowledgeBase.get(options.articleId) : undefined;
    if (options?.intent === APPLICATION_STATUS_INTENT || chosen?.primaryFor === APPLICATION_STATUS_INTENT) {
      return innerDc.beginDialog(STATUS_WATERFALL, { question });
    }
    const round: AnswerRound = { question, intent: options?.intent, articleId: options?.articleId, unhelpfulInARow: options?.unhelpfulInARow ?? 0, shown: [] };
    return innerDc.beginDialog(ANSWER_WATERFALL, round);
  }

  // ---- answer waterfall ----

  /** Picks the article from the intent or the client's choice, or asks which of the closest articles they mean. */
  private async whichArticleStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const round = step.options as AnswerRound;
    const known = (round.articleId && this.inquiry.knowledgeBase.get(round.articleId))
      || (round.intent && this.inquiry.knowledgeBase.answerForIntent(round.intent, round.question, turnLanguage(step.context)));
    if (known) return step.next(known.id);
    const suggestions = this.inquiry.knowledgeBase.search(round.question, turnLanguage(step.context), 3, round.shown);
    if (suggestions.length === 0) {
      if (round.shown.length > 0) return this.endUnhelpful(step, round, 'inquiry.sorryNoAlternatives');
      // Nothing similar: recorded for the dashboard's top unanswered questions (never failing the
      // turn), and the caller (the main dialog) answers the miss, with its menu.
      const { activity } = step.context;
      await this.inquiry.feedback.recordUnanswered?.({
        question: round.question, language: turnLanguage(step.context), channelId: activity.channelId, userId: activity.from.id, conversationId: activity.conversation.id,
      })?.catch(() => undefined);
      return step.endDialog({ outcome: 'no_match' } satisfies InquiryDialogResult);
    }
    const articleIds = suggestions.map((s) => s.article.id);
    values(step).suggestions = articleIds;
    const spec: PromptSpec = { kind: 'suggestions', articleIds, afterUnhelpful: round.shown.length > 0 };
    return step.prompt(SUGGESTION_PROMPT, { validations: spec } satisfies PromptOptions);
  }

  /** Sends the chosen article in the turn's language and asks whether it helped. */
  private async answerStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const round = step.options as AnswerRound;
    const { suggestions } = values(step);
    const articleId = suggestions ? this.parseSuggestion(String(step.result ?? ''), suggestions) : String(step.result);
    if (!articleId || articleId === NONE) {
      // "None of these" right after an unhelpful answer is the second miss in a row.
      if (round.shown.length > 0) {
        const next = { ...round, unhelpfulInARow: round.unhelpfulInARow + 1 };
        if (next.unhelpfulInARow >= UNHELPFUL_LIMIT) return step.replaceDialog(OFFER_PERSON_WATERFALL, next);
        return this.endUnhelpful(step, next, 'inquiry.noneChosen');
      }
      await step.context.sendActivity(this.t(step, 'inquiry.noneChosen'));
      return step.endDialog({ outcome: 'no_match' } satisfies InquiryDialogResult);
    }
    const article = this.inquiry.knowledgeBase.get(articleId)!;
    if (article.primaryFor === APPLICATION_STATUS_INTENT) return step.replaceDialog(STATUS_WATERFALL, { question: round.question });
    values(step).articleId = article.id;
    await step.context.sendActivity(this.renderAnswer(step.context, article));
    return step.prompt(YES_NO_PROMPT, { validations: { kind: 'helpful' } satisfies PromptSpec } satisfies PromptOptions);
  }

  /** Records the feedback; a "no" brings other suggestions, a second "no" in a row offers a person. */
  private async helpfulStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const round = step.options as AnswerRound;
    const articleId = values(step).articleId!;
    const helpful = this.parseReply({ kind: 'helpful' }, String(step.result ?? ''));
    if (helpful === undefined) {
      await step.context.sendActivity(this.t(step, 'inquiry.noAnswerToFeedback'));
      return step.endDialog({ outcome: 'answered', articleId, unhelpfulInARow: round.unhelpfulInARow } satisfies InquiryDialogResult);
    }
    const activity = step.context.activity;
    await this.inquiry.feedback.record({
      question: round.question, articleId, language: turnLanguage(step.context), helpful,
      channelId: activity.channelId, userId: activity.from.id, conversationId: activity.conversation.id,
    });
    if (helpful) {
      await step.context.sendActivity(this.t(step, 'inquiry.thanks'));
      return step.endDialog({ outcome: 'answered', articleId, helpful: true, unhelpfulInARow: 0 } satisfies InquiryDialogResult);
    }
    const next: AnswerRound = { question: round.question, unhelpfulInARow: round.unhelpfulInARow + 1, shown: [...round.shown, articleId] };
    if (next.unhelpfulInARow >= UNHELPFUL_LIMIT) return step.replaceDialog(OFFER_PERSON_WATERFALL, next);
    // Same question, other articles: the waterfall restarts without the intent so it suggests.
    return step.replaceDialog(ANSWER_WATERFALL, next);
  }

  /** Ends after an unhelpful answer with nothing more to offer; the streak goes back to the caller. */
  private async endUnhelpful(step: WaterfallStepContext, round: AnswerRound, apologyKey: string): Promise<DialogTurnResult> {
    await step.context.sendActivity(this.t(step, apologyKey));
    const articleId = round.shown[round.shown.length - 1];
    return step.endDialog({ outcome: 'answered', articleId, helpful: false, unhelpfulInARow: round.unhelpfulInARow } satisfies InquiryDialogResult);
  }

  // ---- offer a person ----

  private async offerPersonStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return step.prompt(YES_NO_PROMPT, { validations: { kind: 'offerPerson' } satisfies PromptSpec } satisfies PromptOptions);
  }

  private async personDecisionStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const round = step.options as AnswerRound;
    const lastArticle = round.shown[round.shown.length - 1];
    if (this.parseYesNo(String(step.result ?? '')) !== true) {
      await step.context.sendActivity(this.t(step, 'inquiry.personDeclined'));
      return step.endDialog({ outcome: 'answered', articleId: lastArticle, helpful: false, unhelpfulInARow: round.unhelpfulInARow } satisfies InquiryDialogResult);
    }
    const activity = step.context.activity;
    const language = turnLanguage(step.context);
    const result = await this.deps.handoff.requestHandoff({
      channelId: activity.channelId, conversationId: activity.conversation.id, userId: activity.from.id, language,
      reason: 'unhelpful_answers', detail: round.shown.join(','),
    });
    await step.context.sendActivity(handoffReplyActivity(this.deps.localizer, language, result, this.deps.timeZone));
    return step.endDialog({ outcome: 'handoff' } satisfies InquiryDialogResult);
  }

  // ---- application status ----

  private async applicationNumberStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { question } = step.options as { question: string };
    const inQuestion = extractApplicationNumber(question);
    if (inQuestion) return step.next(inQuestion);
    return step.prompt(APPLICATION_NUMBER_PROMPT, { validations: { kind: 'applicationNumber' } satisfies PromptSpec } satisfies PromptOptions);
  }

  /** Shows the status only if the application is linked to this client; otherwise the same not-found for every case. */
  private async applicationStatusStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const articleId = this.inquiry.knowledgeBase.articleForIntent(APPLICATION_STATUS_INTENT)?.id ?? APPLICATION_STATUS_INTENT;
    const number = extractApplicationNumber(String(step.result ?? ''));
    if (!number) {
      await step.context.sendActivity(this.t(step, 'inquiry.applicationNumberGiveUp'));
      return step.endDialog({ outcome: 'no_match' } satisfies InquiryDialogResult);
    }
    const activity = step.context.activity;
    const application = await this.inquiry.applications.findForViewer(number, { channelId: activity.channelId, userId: activity.from.id });
    await step.context.sendActivity(application ? this.renderApplication(step.context, application) : this.t(step, 'inquiry.applicationNotFound', { number }));
    return step.endDialog({ outcome: 'answered', articleId, unhelpfulInARow: 0 } satisfies InquiryDialogResult);
  }

  // ---- rendering and parsing ----

  private get localizer(): Localizer {
    return this.deps.localizer;
  }

  private renderAnswer(context: TurnContext, article: KnowledgeArticle): string {
    const language = turnLanguage(context);
    return this.localizer.t(language, 'inquiry.answer', { title: article.title[language], answer: article.answer[language] });
  }

  private renderApplication(context: TurnContext, application: LoanApplication): string {
    const language = turnLanguage(context);
    const productKey = `inquiry.product.${application.product}`;
    const lines = [this.localizer.t(language, 'inquiry.applicationFound', {
      number: application.applicationNumber,
      company: application.company,
      product: this.localizer.has(language, productKey) ? this.localizer.t(language, productKey) : application.product,
      amount: formatMoney(application.amount, application.currency, language),
      status: this.localizer.t(language, `inquiry.status.${application.status}`),
      updatedAt: formatDateTime(application.updatedAt, language, this.deps.timeZone),
    })];
    const nextStep = application.nextStep?.[language];
    if (nextStep) lines.push(this.localizer.t(language, 'inquiry.applicationNextStep', { nextStep }));
    return lines.join('\n');
  }

  private renderPrompt(context: TurnContext, spec: PromptSpec, isRetry: boolean): Partial<Activity> {
    const language = turnLanguage(context);
    const t = (key: string, params?: Record<string, string | number>) => this.localizer.t(language, key, params);
    switch (spec.kind) {
      case 'suggestions': {
        const titles = spec.articleIds.map((id) => this.inquiry.knowledgeBase.get(id)!.title[language]);
        const none = t('inquiry.noneOfThese');
        const single = titles.length === 1; // "reply with its number (1-1)" reads oddly for one
        const intro = isRetry
          ? t(single ? 'inquiry.suggestionRetrySingle' : 'inquiry.suggestionsRetry', { count: titles.length, none })
          : t(spec.afterUnhelpful ? (single ? 'inquiry.otherSuggestionIntroSingle' : 'inquiry.otherSuggestionsIntro') : (single ? 'inquiry.suggestionIntroSingle' : 'inquiry.suggestionsIntro'));
        const lines = titles.map((title, i) => t('inquiry.suggestionLine', { index: i + 1, title }));
        return withButtons([intro, ...lines].join('\n'), [...titles, none]);
      }
      case 'helpful':
        return withButtons(t(isRetry ? 'inquiry.helpfulRetry' : 'inquiry.helpfulQuestion'), [t('inquiry.buttonYes'), t('inquiry.buttonNo')]);
      case 'offerPerson':
        return withButtons(t(isRetry ? 'inquiry.offerPersonRetry' : 'inquiry.offerPerson'), [t('inquiry.buttonPersonYes'), t('inquiry.buttonPersonNo')]);
      case 'applicationNumber':
        return MessageFactory.text(t(isRetry ? 'inquiry.applicationNumberRetry' : 'inquiry.askApplicationNumber'), undefined, InputHints.ExpectingInput);
    }
  }

  /**
   * Which suggestion the client means: its number (1-3), an ordinal ("第二个", "second"), its
   * title in either language (a button tapped before a language switch still counts), or "none".
   */
  private parseSuggestion(text: string, articleIds: string[]): string | undefined {
    const answer = normalize(text);
    if (!answer) return undefined;
    const digit = /^(\d)$/.exec(answer);
    if (digit) return articleIds[Number(digit[1]) - 1];
    for (const language of LANGUAGES) {
      // The ordinal lists run first, second, third, then the same again in other words.
      const ordinal = this.localizer.list(language, 'inquiry.ordinals').map(normalize).indexOf(answer);
      if (ordinal >= 0) return articleIds[ordinal % 3];
      const titled = articleIds.find((id) => normalize(this.inquiry.knowledgeBase.get(id)!.title[language]) === answer);
      if (titled) return titled;
    }
    if (LANGUAGES.some((language) => [this.localizer.t(language, 'inquiry.noneOfThese'), ...this.localizer.list(language, 'inquiry.noneWords')].map(normalize).includes(answer))) return NONE;
    return undefined;
  }

  /** A yes/no reply; to "did this answer your question?" a bare thanks is a yes. */
  private parseReply(spec: PromptSpec | undefined, text: string): boolean | undefined {
    const answer = this.parseYesNo(text);
    if (answer !== undefined || spec?.kind !== 'helpful') return answer;
    const thanks = LANGUAGES.flatMap((language) => this.localizer.list(language, 'inquiry.helpfulThanksWords')).map(normalize);
    return thanks.includes(normalize(text)) ? true : undefined;
  }

  /** Yes / no typed or tapped in either language ("是", "没有", "yes", "nope"); undefined if neither. */
  private parseYesNo(text: string): boolean | undefined {
    const answer = normalize(text).replace(/\s*(谢谢|多谢|thanks|thank you)$/u, '').trim();
    if (!answer) return undefined;
    const words = (key: string) => LANGUAGES.flatMap((language) => this.localizer.list(language, key)).map(normalize);
    if (words('inquiry.noWords').includes(answer)) return false;
    if (words('inquiry.yesWords').includes(answer)) return true;
    return undefined;
  }
}

const NONE = '__none__';

/** What the answer waterfall remembers between its steps. */
interface AnswerValues {
  suggestions?: string[];
  articleId?: string;
}

function values(step: WaterfallStepContext): AnswerValues {
  return step.values as AnswerValues;
}

/** NFKC, lower case, punctuation dropped, whitespace collapsed. */
function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\p{P}\p{S}]+/gu, ' ').replace(/\s+/g, ' ').trim();
}

function withButtons(text: string, titles: string[]): Partial<Activity> {
  const activity = MessageFactory.text(text, undefined, InputHints.ExpectingInput);
  activity.suggestedActions = { to: [], actions: titles.map((title) => ({ type: ActionTypes.ImBack, title, value: title })) };
  return activity;
}

function specOf(prompt: PromptValidatorContext<string>): Extract<PromptSpec, { kind: 'suggestions' }> {
  return specIn(prompt.options) as Extract<PromptSpec, { kind: 'suggestions' }>;
}

/** What a prompt of this dialog shows, kept in its options (the validator's, or the active prompt's state). */
function specIn(options: PromptOptions | undefined): PromptSpec | undefined {
  return options?.validations as PromptSpec | undefined;
}

/**
 * A text prompt whose message is rendered from a {@link PromptSpec} each time it is shown, in
 * the turn's language; a plain prompt would repeat stored text in the old language after
 * "English please".
 */
class SpecPrompt extends TextPrompt {
  constructor(id: string, private readonly render: (context: TurnContext, spec: PromptSpec, isRetry: boolean) => Partial<Activity>, validator: (prompt: PromptValidatorContext<string>) => Promise<boolean>) {
    super(id, validator);
  }

  protected override async onPrompt(context: TurnContext, _state: any, options: PromptOptions, isRetry: boolean): Promise<void> {
    await context.sendActivity(this.render(context, options.validations as PromptSpec, isRetry));
  }
}
