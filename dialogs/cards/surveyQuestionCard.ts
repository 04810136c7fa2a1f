import { ActionTypes, CardFactory, MessageFactory, type Activity, type CardAction } from 'botbuilder';
import { Template } from 'adaptivecards-templating';
import type { Language, Localizer } from '../../services/i18n/localizer';
import { SCORE_RANGES } from '../../services/surveys/answerParser';
import type { SurveyQuestion } from '../../services/surveys/surveyDefinition';
import surveyQuestionCardTemplate from './surveyQuestionCard.json';

const cardTemplate = new Template(surveyQuestionCardTemplate);

/** Channels that render Adaptive Cards; every other channel gets buttons or plain text. */
export const DEFAULT_CARD_CHANNELS: readonly string[] = ['msteams', 'webchat', 'directline', 'emulator'];

/** The `verb` of the survey card's actions; Teams sends it back in an `adaptiveCard/action` invoke. */
export const SURVEY_CARD_VERB = 'rapportSurvey';

/**
 * Channels whose cards use Universal Actions (`Action.Execute`, card 1.4): Teams answers them
 * with an invoke the bot replies to with an updated card, so an answered question's buttons
 * go away. Other channels (Web Chat, Direct Line) keep `Action.Submit`, which they send as a
 * message with `value`; both carry the same data.
 */
export const UNIVERSAL_ACTION_CHANNELS: readonly string[] = ['msteams'];

/** What a survey question card needs besides the question. */
export interface SurveyQuestionView {
  surveyId: string;
  question: SurveyQuestion;
  position: number;
  total: number;
  language: Language;
  /** Channels that show Adaptive Cards. */
  cardChannels: readonly string[];
  /** Offer "No thanks" instead of "Skip" (an offered one-question survey). */
  offerDecline?: boolean;
}

/** What a card's submit button sends back in `activity.value`. */
export interface SurveyCardSubmit {
  surveyId?: string;
  questionId?: string;
  skip?: boolean;
  answer?: string | number | string[];
}

/**
 * The activity that asks one survey question: an Adaptive Card (from the template beside this
 * file) where the channel shows cards, otherwise text with the options numbered and, where
 * there are few enough, suggested-action buttons.
 */
export function surveyQuestionCard(localizer: Localizer, channelId: string, view: SurveyQuestionView): Partial<Activity> {
  const { question, language } = view;
  const t = (key: string, params?: Record<string, string | number>) => localizer.t(language, key, params);
  const questionText = question.required ? question.text[language] : t('survey.optionalFormat', { text: question.text[language] });
  const hint = question.hint?.[language] ?? (question.type === 'multiple' ? t('survey.multipleHint') : '');
  const skipLabel = view.offerDecline ? t('survey.noThanks') : question.required ? '' : t('survey.skip');
  const options = choiceOptions(question, language);
  const progress = view.total > 1 ? t('survey.progress', { position: view.position, total: view.total }) : '';

  if (view.cardChannels.includes(channelId)) {
    const universal = UNIVERSAL_ACTION_CHANNELS.includes(channelId);
    const card = cardTemplate.expand({
      $root: {
        cardVersion: universal ? '1.4' : '1.3', actionType: universal ? 'Action.Execute' : 'Action.Submit',
        progress, question: questionText, hint, kind: question.type === 'text' ? 'text' : 'choice',
        choiceStyle: question.type === 'nps' ? 'compact' : 'expanded', multiSelect: question.type === 'multiple',
        choices: options, placeholder: t('survey.textPlaceholder'), submitLabel: t('survey.submit'), skipLabel,
        surveyId: view.surveyId, questionId: question.id,
      },
    });
    const activity = MessageFactory.attachment(CardFactory.adaptiveCard(card));
    // Screen readers and notifications show the summary; the card carries the question.
    activity.summary = questionText;
    return activity;
  }

  const lines = [progress, questionText, hint].filter(Boolean);
  if (question.type === 'single' || question.type === 'multiple') {
    options.forEach((o, i) => lines.push(t('survey.choiceLine', { number: i + 1, label: o.title })));
  }
  const buttons: CardAction[] = question.type === 'multiple' || question.type === 'text'
    ? []
    : options.map((o) => ({ type: ActionTypes.ImBack, title: o.title, value: question.type === 'single' ? o.title : o.value }));
  if (skipLabel) buttons.push({ type: ActionTypes.ImBack, title: skipLabel, value: skipLabel });
  const text = lines.join('\n');
  return buttons.length ? MessageFactory.suggestedActions(buttons, text) : MessageFactory.text(text);
}

/** Reads a survey card's submit payload from `activity.value`, or undefined when it is not one. */
export function readSurveyCardSubmit(value: unknown): SurveyCardSubmit | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as { rapportSurvey?: Record<string, unknown>; answer?: unknown };
  if (!v.rapportSurvey || typeof v.rapportSurvey !== 'object') return undefined;
  const answer = v.answer;
  return {
    surveyId: typeof v.rapportSurvey.surveyId === 'string' ? v.rapportSurvey.surveyId : undefined,
    questionId: typeof v.rapportSurvey.questionId === 'string' ? v.rapportSurvey.questionId : undefined,
    skip: v.rapportSurvey.skip === true,
    answer: typeof answer === 'string' || typeof answer === 'number' || Array.isArray(answer) ? (answer as string | number | string[]) : undefined,
  };
}

function choiceOptions(question: SurveyQuestion, language: Language): Array<{ title: string; value: string }> {
  if (question.type === 'rating' || question.type === 'nps') {
    const { min, max } = SCORE_RANGES[question.type];
    return Array.from({ length: max - min + 1 }, (_, i) => String(min + i)).map((s) => ({ title: s, value: s }));
  }
  return (question.choices ?? []).map((c) => ({ title: c.label[language], value: c.id }));
}
