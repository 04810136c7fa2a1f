import { ActivityTypes, type Activity, type AdaptiveCardInvokeResponse, type AdaptiveCardInvokeValue, type TurnContext } from 'botbuilder';
import { Template } from 'adaptivecards-templating';
import type { Localizer } from '../services/i18n/localizer';
import { SURVEY_CARD_VERB, readSurveyCardSubmit } from '../dialogs/cards/surveyQuestionCard';
import { surveyCardSubmitResult, type SurveyCardSubmitResult } from '../dialogs/surveyQuestionPrompt';
import { turnLanguage } from '../dialogs/turnLanguage';
import surveyClosedCardTemplate from '../dialogs/cards/surveyClosedCard.json';

/** An Adaptive Card's content type: on attachments, and on the invoke response that replaces the clicked card. */
export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
const ERROR_RESPONSE_TYPE = 'application/vnd.microsoft.error';

const closedCardTemplate = new Template(surveyClosedCardTemplate);

/**
 * Teams' Universal Actions (`Action.Execute`, an `adaptiveCard/action` invoke) for the survey
 * cards. The action's data is what an `Action.Submit` would have put in `activity.value`, so
 * the dialogs get it exactly as Web Chat sends it and need no Teams branch; the invoke is then
 * answered with the card that replaces the clicked one: the same question again when it is
 * re-asked (the re-ask is not posted a second time), else the question closed, without buttons,
 * so an answered card can't be submitted twice.
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
    const submit = invokeValue.action?.verb === SURVEY_CARD_VERB ? readSurveyCardSubmit(data) : undefined;
    if (!submit) {
      return { statusCode: 400, type: ERROR_RESPONSE_TYPE, value: { code: 'BadRequest', message: `unknown card action "${invokeValue.action?.verb ?? ''}"` } };
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
      await asCardSubmitMessage(context, data, runAsMessage);
    } finally {
      routing = false;
    }
    const card = refreshed ?? this.closedCard(context, surveyCardSubmitResult(context));
    return { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: card };
  }

  private closedCard(context: TurnContext, result: SurveyCardSubmitResult | undefined): Record<string, unknown> {
    const language = turnLanguage(context);
    const statusKey = result?.outcome === 'answered' ? 'teams.cardAnswered' : result?.outcome === 'skipped' ? 'teams.cardSkipped' : 'teams.cardClosed';
    return closedCardTemplate.expand({
      $root: { question: result?.question?.text[language] ?? '', status: this.localizer.t(language, statusKey) },
    }) as Record<string, unknown>;
  }
}

/**
 * Presents the invoke to the dialogs as the message an `Action.Submit` would have sent: the
 * prompts (ours and botbuilder's) only read messages. The same activity object is changed and
 * put back, rather than a new context made, so the turn keeps its lock, logger, language and
 * buffered replies.
 */
async function asCardSubmitMessage(context: TurnContext, data: unknown, run: () => Promise<void>): Promise<void> {
  const activity = context.activity;
  const saved = { type: activity.type, name: activity.name, value: activity.value as unknown };
  activity.type = ActivityTypes.Message;
  activity.name = undefined;
  activity.value = data;
  try {
    await run();
  } finally {
    activity.type = saved.type;
    activity.name = saved.name;
    activity.value = saved.value;
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
