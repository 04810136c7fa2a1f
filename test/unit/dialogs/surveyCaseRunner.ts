/**
 * Runs the survey dialogs' case tables (test/fixtures/dialogs/*.cases.json): each case is a
 * conversation of turns (typed text, a card submit, or a restart that starts a new conversation
 * against the same stores, as a client who left and came back), with the replies each turn must
 * contain, then the dialog's result and what was stored.
 */
import path from 'node:path';
import { ConversationState, MemoryStorage, type Activity, type TurnContext } from 'botbuilder';
import type { Dialog } from 'botbuilder-dialogs';
import { DialogTestClient } from 'botbuilder-testing';
import { EmbeddedDatabase } from '../../../models/embedded/embeddedDatabase';
import { EmbeddedSurveyDefinitionRepository } from '../../../models/surveys/embeddedSurveyDefinitionRepository';
import { EmbeddedSurveyResponseRepository } from '../../../models/surveys/embeddedSurveyResponseRepository';
import { AnswerParser } from '../../../services/surveys/answerParser';
import { loadSurveyDefinitions } from '../../../services/surveys/surveyDefinitionLoader';
import { createInterruptionDependencies, languageMiddleware, repoRoot } from '../../support/dialogHarness';

export interface CaseTurn {
  user?: string;
  value?: Record<string, unknown>;
  restart?: boolean;
  expect?: string[];
  expectNot?: string[];
}

export interface DialogCase {
  name: string;
  locale: 'zh-CN' | 'en';
  channel?: string;
  options?: Record<string, unknown>;
  turns: CaseTurn[];
  result?: Record<string, unknown>;
  stored?: { surveyId: string; respondentKey: string; answers?: Record<string, unknown> | null; status?: string; meta?: Record<string, unknown>; responses?: number };
  handoffRequests?: number;
  /** Texts the recognizer takes for a new request (the app's rule, on the shipped model, is tested in test/integration/newRequestAtClosedQuestion.test.ts). */
  newRequests?: string[];
}

/** Everything a case's dialog is built from: real services on in-memory embedded stores (on `db`, or a new one). */
export async function createSurveyEnvironment(db = new EmbeddedDatabase(null)) {
  const interruption = createInterruptionDependencies();
  const definitions = new EmbeddedSurveyDefinitionRepository(db);
  await loadSurveyDefinitions(path.join(repoRoot, 'data/surveys'), definitions);
  const responses = new EmbeddedSurveyResponseRepository(db);
  const parser = new AnswerParser(require(path.join(repoRoot, 'data/surveyVocabulary.json')));
  return { ...interruption, definitions, responses, parser };
}

export type SurveyEnvironment = Awaited<ReturnType<typeof createSurveyEnvironment>> & { isNewRequest?: (context: TurnContext) => boolean };

/** One reply as text: its text, its suggested actions as "[buttons: a | b]", an Adaptive Card as "[card] {json}". */
export function renderReply(activity: Partial<Activity>): string {
  const parts: string[] = [];
  if (activity.text) parts.push(activity.text);
  if (activity.suggestedActions?.actions?.length) parts.push(`[buttons: ${activity.suggestedActions.actions.map((a) => a.title).join(' | ')}]`);
  for (const a of activity.attachments ?? []) {
    if (a.contentType === 'application/vnd.microsoft.card.adaptive') parts.push(`[card] ${JSON.stringify(a.content)}`);
  }
  return parts.join('\n');
}

function matches(text: string, pattern: string): boolean {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(pattern);
  return m ? new RegExp(m[1], m[2]).test(text) : text.includes(pattern);
}

/** What a case run leaves to check: the last dialog turn result and the conversation it ran in. */
export interface CaseRun {
  turnResult: { status: string; result?: unknown };
  conversationId: string;
}

/** Runs one case against a dialog built from `env`. */
export async function runCase(c: DialogCase, env: SurveyEnvironment, build: (env: SurveyEnvironment) => Dialog): Promise<CaseRun> {
  const dialog = build({ ...env, isNewRequest: (context) => (c.newRequests ?? []).includes(context.activity.text ?? '') });
  const newClient = () => new DialogTestClient(c.channel ?? 'test', dialog, c.options, [languageMiddleware()], new ConversationState(new MemoryStorage()));
  let client = newClient();
  let conversationId = '';
  for (const [i, turn] of c.turns.entries()) {
    if (turn.restart) {
      client = newClient();
      continue;
    }
    const activity: Partial<Activity> = { type: 'message', locale: c.locale, ...(turn.user !== undefined ? { text: turn.user } : {}), ...(turn.value ? { value: turn.value } : {}) };
    const replies: string[] = [];
    let reply = await client.sendActivity(activity);
    while (reply) {
      conversationId = reply.conversation?.id ?? conversationId;
      replies.push(renderReply(reply));
      reply = client.getNextReply();
    }
    const transcript = replies.join('\n---\n');
    const where = `turn ${i + 1} (${turn.user ?? JSON.stringify(turn.value)}) replied:\n${transcript}`;
    for (const pattern of turn.expect ?? []) {
      if (!matches(transcript, pattern)) throw new Error(`Expected "${pattern}" in ${where}`);
    }
    for (const pattern of turn.expectNot ?? []) {
      if (matches(transcript, pattern)) throw new Error(`Did not expect "${pattern}" in ${where}`);
    }
  }
  return { turnResult: client.dialogTurnResult as CaseRun['turnResult'], conversationId };
}

/** Checks a case's expected result, stored response and handoff requests. */
export async function checkOutcome(c: DialogCase, env: SurveyEnvironment, run: CaseRun): Promise<void> {
  if (c.result) {
    expect(run.turnResult.status).toBe('complete');
    expect(run.turnResult.result).toEqual(c.result);
  }
  if (c.stored) {
    const stored = await env.responses.get(c.stored.surveyId, c.stored.respondentKey);
    if (c.stored.answers === null) {
      expect(stored).toBeUndefined();
    } else {
      if (c.stored.answers) expect(stored?.answers).toEqual(c.stored.answers);
      if (c.stored.status) expect(stored?.status).toBe(c.stored.status);
      if (c.stored.meta) expect(stored?.meta).toMatchObject(c.stored.meta);
    }
    if (c.stored.responses !== undefined) expect(await env.responses.listBySurvey(c.stored.surveyId)).toHaveLength(c.stored.responses);
  }
  if (c.handoffRequests !== undefined) {
    const requests = await env.handoffRepository.listByConversation(c.channel ?? 'test', run.conversationId);
    expect(requests).toHaveLength(c.handoffRequests);
  }
}
