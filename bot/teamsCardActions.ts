import { ActivityTypes, type Activity, type AdaptiveCardInvokeResponse, type AdaptiveCardInvokeValue, type TurnContext } from 'botbuilder';
import { Template } from 'adaptivecards-templating';
import type { Localizer } from '../services/i18n/localizer';
import { SURVEY_CARD_VERB, readSurveyCardSubmit } from '../dialogs/cards/surveyQuestionCard';
import { surveyCardSubmitResult, type SurveyCardSubmitResult } from '../dialogs/surveyQuestionPrompt';
import { turnLanguage } from '../dialogs/turnLanguage';
import { REPLY_CARD_VERB, readReplyCardSubmit } from '../dialogs/cards/replyChoicesCard';
import closedCardTemplate from '../dialogs/cards/closedCard.json';

/** An Adaptive Card's content type: on attachments, and on the invoke response that replaces the clicked card. */
export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
const ERROR_RESPONSE_TYPE = 'application/vnd.microsoft.error';

const closedCard = new Template(closedCardTemplate);

/**
 * Teams' Universal Actions (`Action.Execute`, an `adaptiveCard/action` invoke) for the survey
 * cards and the reply cards (prompts with buttons, e.g. the callback topic, slots and
 * confirmation). A survey action's data is what an `Action.Submit` would have put in
 * `activity.value`, and a reply button's text is what its suggested action would have sent, so
 * the dialogs get them exactly as Web Chat sends them and need no Teams branch. The invoke is
 * answered with the card that replaces the clicked one: a survey question again when it is
 * re-asked (the re-ask is not posted a second time), else the card closed, without buttons, so
 * it can't be answered twice.
 */
export class TeamsCardActions {
  constructor(private readonly localizer: Localizer) {
    if (!localizer) throw new Error('TeamsCardActions needs a localizer');
  }

  /**
   * Routes one card action through `runAsMessage` (the bot's message handling) and returns the invoke response.
   * @param runAsMessage runs the turn's dialogs; called while the activity looks like a card submit message.
   */
  async handle(context: TurnContext, invokeValue: AdaptiveCardInvokeValue, runAsMessage: () => Promise<void>): Promise<AdaptiveCardInvokeResponse> {
    const data = invokeValue.action?.data;
    const verb = invokeValue.action?.verb;
    const reply = verb === REPLY_CARD_VERB ? readReplyCardSubmit(data) : undefined;
    if (reply) {
      await asCardSubmitMessage(context, data, reply.text, runAsMessage);
      return this.cardResponse(this.closedCard(context, reply.prompt ?? '', 'teams.cardChosen', { choice: reply.text }));
    }
    const submit = verb === SURVEY_CARD_VERB ? readSurveyCardSubmit(data) : undefined;
    if (!submit) {
      return { statusCode: 400, type: ERROR_RESPONSE_TYPE, value: { code: 'BadRequest', message: `unknown card action "${verb ?? ''}"` } };
    }

    let refreshed: Record<string, unknown> | undefined;
    let routing = true;
    context.onSendActivities(async (_context, activities, next) => {
      if (!routing) return next();
      for (let i = activities.length - 1; i >= 0; i -= 1) {
        const card = surveyCardContent(activities[i], submit.questionId);
        if (card) {
          refreshed = card;
          activities.splice(i, 1);
        }
      }
      // The adapter refuses an empty batch; nothing left to post is a normal outcome here.
      return activities.length > 0 ? next() : [];
    });
    try {
      await asCardSubmitMessage(context, data, undefined, runAsMessage);
    } finally {
      routing = false;
    }
    return this.cardResponse(refreshed ?? this.surveyClosedCard(context, surveyCardSubmitResult(context)));
  }

  private cardResponse(card: Record<string, unknown>): AdaptiveCardInvokeResponse {
    return { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: card };
  }

  private surveyClosedCard(context: TurnContext, result: SurveyCardSubmitResult | undefined): Record<string, unknown> {
    const statusKey = result?.outcome === 'answered' ? 'teams.cardAnswered' : result?.outcome === 'skipped' ? 'teams.cardSkipped' : 'teams.cardClosed';
    return this.closedCard(context, result?.question?.text[turnLanguage(context)] ?? '', statusKey);
  }

  /** A card without buttons: what was asked (when known) and how it ended, in the turn's language. */
  private closedCard(context: TurnContext, question: string, statusKey: string, params?: Record<string, string>): Record<string, unknown> {
    const status = this.localizer.t(turnLanguage(context), statusKey, params);
    return closedCard.expand({ $root: { question, status } }) as Record<string, unknown>;
  }
}

/**
 * Presents the invoke to the dialogs as the message an `Action.Submit` (or, with `text`, a
 * suggested action) would have sent: the
 * prompts (ours and botbuilder's) only read messages. The same activity object is changed and
 * put back, rather than a new context made, so the turn keeps its lock, logger, language and
 * buffered replies.
 */
async function asCardSubmitMessage(context: TurnContext, data: unknown, text: string | undefined, run: () => Promise<void>): Promise<void> {
  const activity = context.activity;
  const saved = { type: activity.type, name: activity.name, value: activity.value as unknown, text: activity.text };
  activity.type = ActivityTypes.Message;
  activity.name = undefined;
  activity.value = data;
  activity.text = text as string;
  try {
    await run();
  } finally {
    Object.assign(activity, saved);
  }
}

/** The card content when the activity carries a survey card for `questionId`. */
function surveyCardContent(activity: Partial<Activity>, questionId: string | undefined): Record<string, unknown> | undefined {
  for (const attachment of activity.attachments ?? []) {
    if (attachment.contentType !== ADAPTIVE_CARD_CONTENT_TYPE) continue;
    const content = attachment.content as { actions?: Array<{ data?: unknown }> } | undefined;
    if (content?.actions?.some((action) => readSurveyCardSubmit(action.data)?.questionId === questionId)) return content as Record<string, unknown>;
  }
  return undefined;
}
