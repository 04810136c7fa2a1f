/**
 * "Which did you mean?": when the two most likely intents are nearly tied, the main dialog asks
 * (ClarifyIntentDialog) instead of guessing, in both languages, then starts the chosen route with
 * options built for that intent, so its follow-ups run as for any routed message. "Something
 * else", answers that are not a choice, cancel and "talk to a person" are the unhappy paths.
 */
import { ConversationState, MemoryStorage, type Activity } from 'botbuilder';
import { ComponentDialog, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { DialogTestClient } from 'botbuilder-testing';
import type { Language } from '../../../services/i18n/localizer';
import { closeIntents } from '../../../services/nlu/intentClarification';
import { MainDialog, type MainDialogMemory, type Route, type TurnRecognition } from '../../../dialogs/mainDialog';
import { ClarifyIntentDialog, CLARIFY_INTENT_DIALOG } from '../../../dialogs/clarifyIntentDialog';
import { createInterruptionDependencies, dialogClient } from '../../support/dialogHarness';

const LANGUAGES: Language[] = ['zh-CN', 'en'];
const MARGIN = 0.3;

/** A feature dialog's stand-in: says which route started it and with what options, then ends as completed. */
class RouteProbe extends ComponentDialog {
  constructor(id: string) {
    super(id);
    this.addDialog(new WaterfallDialog(`${id}.steps`, [async (step: WaterfallStepContext) => {
      await step.context.sendActivity(`routed ${id} ${JSON.stringify(step.options ?? {})}`);
      return step.endDialog({ outcome: 'completed', kind: 'probe', dialog: id });
    }]));
  }
}

/** The follow-up the main dialog starts after a completed route. */
class FollowUpProbe extends ComponentDialog {
  constructor() {
    super('followUpProbe');
    this.addDialog(new WaterfallDialog('followUpProbe.steps', [async (step: WaterfallStepContext) => {
      await step.context.sendActivity('follow-up ran');
      return step.endDialog();
    }]));
  }
}

function scored(topIntent: string, scores: Record<string, number>): TurnRecognition {
  return { topIntent, topScore: scores[topIntent], entities: [], intents: Object.fromEntries(Object.entries(scores).map(([k, score]) => [k, { score }])) };
}

/** The main dialog with two callback routes and an inquiry route; `recognize` gives every message's recognition. */
function mainClient(recognize: (text: string) => TurnRecognition) {
  const deps = createInterruptionDependencies();
  const storage = new MemoryStorage();
  const routes: Record<string, Route> = {
    callback_list: { dialogId: 'listProbe', options: (r) => ({ action: 'list', intent: r.topIntent }) },
    callback_book: { dialogId: 'bookProbe', options: (r, text) => ({ intent: r.topIntent, text }) },
    inquiry_rates: { dialogId: 'ratesProbe', options: (r) => ({ intent: r.topIntent }) },
  };
  const main = new MainDialog({
    ...deps,
    recognitionOf: (context): TurnRecognition => recognize(context.activity.text ?? ''),
    memory: new ConversationState(storage).createProperty<MainDialogMemory>('mainDialogMemory'),
    dialogs: [new RouteProbe('listProbe'), new RouteProbe('bookProbe'), new RouteProbe('ratesProbe'), new FollowUpProbe(), new ClarifyIntentDialog(deps)],
    routes,
    follow: [{ when: (r) => r?.kind === 'probe', dialogId: 'followUpProbe' }],
    bankName: () => 'Rapport Bank',
    clarification: { dialogId: CLARIFY_INTENT_DIALOG, closeIntents: (r) => closeIntents(r, MARGIN, (intent) => intent in routes) },
  });
  return { client: dialogClient(main, undefined, storage), deps };
}

async function turn(client: DialogTestClient, text: string, language: Language): Promise<Partial<Activity>[]> {
  const replies: Partial<Activity>[] = [];
  let reply = await client.sendActivity({ type: 'message', text, locale: language });
  while (reply) { replies.push(reply); reply = client.getNextReply(); }
  return replies;
}

/**
 * The choices as shown: suggested-action titles where the channel has them, else the inline list
 * the test channel gets: inline ("… (1) A, (2) B, or (3) C") or, for long titles, one per line ("   1. A").
 */
function shownChoices(reply: Partial<Activity>): string[] {
  const actions = (reply.suggestedActions?.actions ?? []).map((a) => a.title);
  if (actions.length) return actions;
  const text = reply.text ?? '';
  const lines = [...text.matchAll(/^\s*\d+\.\s*(.+)$/gm)].map((m) => m[1].trim());
  if (lines.length) return lines;
  return text.split(/\(\d+\)/).slice(1).map((piece) => piece.replace(/[,，]?\s*(要么|or)?\s*$/u, '').trim());
}

/** "When is my call?": list and book nearly tied, whatever the words. */
const tied = () => scored('callback_list', { callback_list: 0.46, callback_book: 0.41, inquiry_rates: 0.13 });

describe.each(LANGUAGES)('Asking which intent the client means (%s)', (language) => {
  const other: Language = language === 'en' ? 'zh-CN' : 'en';

  test('When two routable intents are nearly tied, then the client is asked with both (most likely first) and "something else" as choices, and nothing starts yet', async () => {
    const { client, deps } = mainClient(tied);
    const t = (key: string) => deps.localizer.t(language, key);
    const replies = await turn(client, 'when is my call', language);
    expect(replies).toHaveLength(1);
    expect(replies[0].text).toContain(t('main.clarifyQuestion'));
    expect(shownChoices(replies[0])).toEqual([t('main.intentNames.callback_list'), t('main.intentNames.callback_book'), t('main.clarifyNeither')]);
  });

  test('When the client taps the second intent, then its route starts with options built for that intent (and the first message), and the follow-up runs after it', async () => {
    const { client, deps } = mainClient(tied);
    await turn(client, 'when is my call', language);
    const replies = (await turn(client, deps.localizer.t(language, 'main.intentNames.callback_book'), language)).map((r) => r.text);
    expect(replies).toEqual([`routed bookProbe ${JSON.stringify({ intent: 'callback_book', text: 'when is my call' })}`, 'follow-up ran']);
  });

  test('When the client types the first intent\'s name in the other language, then that route starts', async () => {
    const { client, deps } = mainClient(tied);
    await turn(client, 'when is my call', language);
    const replies = (await turn(client, deps.localizer.t(other, 'main.intentNames.callback_list'), language)).map((r) => r.text);
    expect(replies[0]).toBe(`routed listProbe ${JSON.stringify({ action: 'list', intent: 'callback_list' })}`);
  });

  test('When the client answers with the number of a choice, then that route starts', async () => {
    const { client } = mainClient(tied);
    await turn(client, 'when is my call', language);
    expect((await turn(client, '2', language))[0].text).toMatch(/^routed bookProbe /);
  });

  test('When the client picks "something else", then nothing starts and they get the not-understood menu', async () => {
    const { client, deps } = mainClient(tied);
    await turn(client, 'when is my call', language);
    const replies = await turn(client, deps.localizer.t(language, 'main.clarifyNeither'), language);
    expect(replies.map((r) => r.text).join('\n')).toContain(deps.localizer.t(language, 'main.notUnderstood'));
    expect(replies.some((r) => r.text?.startsWith('routed'))).toBe(false);
  });

  test('When the answer is not a choice, then the question is asked once more, and after a second such answer the client gets the not-understood menu', async () => {
    const { client, deps } = mainClient(tied);
    const t = (key: string) => deps.localizer.t(language, key);
    await turn(client, 'when is my call', language);
    const retry = await turn(client, 'purple elephant', language);
    expect(retry[0].text).toContain(t('main.clarifyRetry'));
    expect(shownChoices(retry[0])).toHaveLength(3);
    const after = await turn(client, 'purple elephant again', language);
    expect(after.map((r) => r.text).join('\n')).toContain(t('main.notUnderstood'));
    expect(after.some((r) => r.text?.startsWith('routed'))).toBe(false);
  });

  test('When the client cancels at the question, then it is cancelled and nothing starts', async () => {
    const { client, deps } = mainClient(tied);
    await turn(client, 'when is my call', language);
    const replies = await turn(client, language === 'en' ? 'cancel' : '取消', language);
    expect(replies.map((r) => r.text)).toEqual([deps.localizer.t(language, 'common.cancelled')]);
  });

  test('When the client asks for a person at the question, then the handoff is recorded and nothing starts', async () => {
    const { client, deps } = mainClient(tied);
    await turn(client, 'when is my call', language);
    const replies = await turn(client, language === 'en' ? 'talk to a person' : '转人工', language);
    expect(replies.some((r) => r.text?.startsWith('routed'))).toBe(false);
    expect(await deps.handoffRepository.listByConversation('test', replies[0].conversation!.id)).toHaveLength(1);
  });

  test('When the client asks for help at the question, then the help text comes and the question is asked again', async () => {
    const { client, deps } = mainClient(tied);
    await turn(client, 'when is my call', language);
    const replies = await turn(client, language === 'en' ? 'help' : '帮助', language);
    expect(replies[0].text).toBe(deps.localizer.t(language, 'main.clarifyHelp'));
    expect(replies[1].text).toContain(deps.localizer.t(language, 'main.clarifyQuestion'));
  });

  test('When the top intent is clearly ahead, then its route starts at once without a question', async () => {
    const { client } = mainClient(() => scored('callback_list', { callback_list: 0.8, callback_book: 0.15, inquiry_rates: 0.05 }));
    expect((await turn(client, 'when is my call', language))[0].text).toMatch(/^routed listProbe /);
  });

  test('When the nearly tied second intent has no route, then the top route starts without a question', async () => {
    const { client } = mainClient(() => scored('inquiry_rates', { inquiry_rates: 0.5, greeting: 0.45, callback_book: 0.05 }));
    expect((await turn(client, 'rates?', language))[0].text).toMatch(/^routed ratesProbe /);
  });
});
