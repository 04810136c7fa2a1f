import { CardFactory, InputHints, MessageFactory, type Activity } from 'botbuilder';
import { Template } from 'adaptivecards-templating';
import replyChoicesCardTemplate from './replyChoicesCard.json';

const cardTemplate = new Template(replyChoicesCardTemplate);

/** The `verb` of a reply card's buttons; Teams sends it back in an `adaptiveCard/action` invoke. */
export const REPLY_CARD_VERB = 'rapportReply';

/** What a reply card's button sends back: the text a typed answer would have had, and the prompt it answered. */
export interface ReplyCardSubmit {
  text: string;
  prompt?: string;
}

/**
 * A prompt with answer buttons as an Adaptive Card with `Action.Execute` buttons, for Teams,
 * which shows no suggested actions in channels and group chats. Each button answers with the
 * text its suggested action would have sent, so the dialogs read it as a typed reply.
 */
export function replyChoicesCard(text: string, buttons: Array<{ title: string; value: string }>): Partial<Activity> {
  const card = cardTemplate.expand({ $root: { text, buttons } });
  const activity = MessageFactory.attachment(CardFactory.adaptiveCard(card), undefined, text, InputHints.ExpectingInput);
  // Notifications and screen readers show the summary; the card carries the prompt.
  activity.summary = text;
  return activity;
}

/** Reads a reply card's action data, or undefined when it is not one. */
export function readReplyCardSubmit(value: unknown): ReplyCardSubmit | undefined {
  const reply = (value as { rapportReply?: { text?: unknown; prompt?: unknown } } | undefined)?.rapportReply;
  if (!reply || typeof reply.text !== 'string' || !reply.text.trim()) return undefined;
  return { text: reply.text, prompt: typeof reply.prompt === 'string' ? reply.prompt : undefined };
}
