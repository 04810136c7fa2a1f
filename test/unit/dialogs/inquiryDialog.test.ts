/**
 * Runs the inquiry dialog's case table (test/fixtures/dialogs/inquiry.json): each case sends its
 * turns in its locale and checks every reply's text and buttons, then the dialog's result, the
 * feedback recorded and the handoff requested. The table holds each scenario in zh-CN and en.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DialogTurnStatus } from 'botbuilder-dialogs';
import type { Activity } from 'botbuilder';
import { InquiryDialog, type InquiryDialogOptions } from '../../../dialogs/inquiryDialog';
import { KnowledgeBase } from '../../../services/knowledge/knowledgeBase';
import { InquiryFeedbackService } from '../../../services/knowledge/inquiryFeedbackService';
import type { InquiryFeedback } from '../../../services/knowledge/inquiryFeedbackRepository';
import { LoanApplicationLookup } from '../../../services/loans/loanApplicationLookup';
import { loadLoanApplicationSeed } from '../../../services/loans/loanApplicationSeed';
import type { HandoffRequest } from '../../../services/handoff/handoffRequester';
import { EmbeddedDatabase } from '../../../models/embedded/embeddedDatabase';
import { EmbeddedInquiryFeedbackRepository } from '../../../models/knowledge/embeddedInquiryFeedbackRepository';
import { EmbeddedLoanApplicationRepository } from '../../../models/loans/embeddedLoanApplicationRepository';
import { createInterruptionDependencies, dialogClient, repoRoot } from '../../support/dialogHarness';

interface Turn { user: string; expect: string[]; notExpect?: string[] }
interface Case {
  name: string;
  locale: 'zh-CN' | 'en';
  options: InquiryDialogOptions;
  turns: Turn[];
  result?: Record<string, unknown>;
  feedback?: Array<Partial<InquiryFeedback>>;
  handoff?: Array<Partial<HandoffRequest>>;
  /** Texts the recognizer takes for a new request (the app's rule on the shipped model: test/integration/newRequestAtClosedQuestion.test.ts). */
  newRequests?: string[];
}

const fixtures = path.join(repoRoot, 'test/fixtures/dialogs');
const cases = JSON.parse(fs.readFileSync(path.join(fixtures, 'inquiry.json'), 'utf8')) as Case[];
const knowledgeBase = new KnowledgeBase({ directory: path.join(repoRoot, 'data/kb') });

/** "/pattern/flags" is a regular expression; anything else is a substring. Jest's own matchers, so a failure shows the replies. */
function expectSeen(seen: string, expectation: string, present: boolean): void {
  const regex = /^\/(.+)\/([a-z]*)$/s.exec(expectation);
  const assertion = present ? expect(seen) : expect(seen).not;
  if (regex) assertion.toMatch(new RegExp(regex[1], regex[2]));
  else assertion.toContain(expectation);
}

/** A reply as the client sees it: its text and its buttons' titles. */
function visible(reply: Partial<Activity>): string {
  const buttons = reply.suggestedActions?.actions.map((a) => `[${a.title}]`) ?? [];
  return [reply.text ?? '', ...buttons].join('\n');
}

async function setUp(newRequests: readonly string[] = []) {
  const interruption = createInterruptionDependencies();
  const handoffs: HandoffRequest[] = [];
  const handoff = {
    async requestHandoff(request: HandoffRequest) {
      handoffs.push(request);
      return interruption.handoff.requestHandoff(request);
    },
  };
  const db = new EmbeddedDatabase(null);
  const feedbackRepository = new EmbeddedInquiryFeedbackRepository(db);
  const feedbackService = new InquiryFeedbackService(feedbackRepository);
  const recorded: InquiryFeedback[] = [];
  const feedback = {
    async record(entry: Omit<InquiryFeedback, 'createdAt'>) {
      recorded.push({ ...entry, createdAt: new Date() });
      await feedbackService.record(entry);
    },
  };
  const applicationRepository = new EmbeddedLoanApplicationRepository(db);
  await loadLoanApplicationSeed(applicationRepository, path.join(fixtures, 'inquiry-applications.json'));
  const dialog = new InquiryDialog({
    ...interruption, handoff, knowledgeBase, feedback, applications: new LoanApplicationLookup(applicationRepository),
    isNewRequest: (context) => newRequests.includes(context.activity.text ?? ''),
  });
  return { dialog, handoffs, recorded, feedbackRepository, handoffRepository: interruption.handoffRepository };
}

describe('InquiryDialog', () => {
  test('When the case table is read, then every scenario is there in both languages', () => {
    const byName = new Map<string, Set<string>>();
    for (const c of cases) byName.set(c.name, (byName.get(c.name) ?? new Set()).add(c.locale));
    const single = [...byName].filter(([, locales]) => locales.size < 2).map(([name]) => name);
    expect(single).toEqual([]);
    expect(byName.size).toBeGreaterThanOrEqual(15);
  });

  test.each(cases.map((c) => [`[${c.locale}] ${c.name}`, c] as const))('%s', async (_name, c) => {
    const { dialog, handoffs, recorded, feedbackRepository, handoffRepository } = await setUp(c.newRequests);
    const client = dialogClient(dialog, c.options);
    for (const [i, turn] of c.turns.entries()) {
      // sendActivity hands back the first reply; the rest wait in the queue.
      const first = await client.sendActivity({ type: 'message', text: turn.user, locale: c.locale } as Partial<Activity>);
      const replies: string[] = first ? [visible(first)] : [];
      for (let reply = client.getNextReply(); reply; reply = client.getNextReply()) replies.push(visible(reply));
      const seen = replies.join('\n---\n');
      const shown = `turn ${i + 1} ("${turn.user}"):\n${seen}`;
      for (const e of turn.expect) expectSeen(shown, e, true);
      for (const e of turn.notExpect ?? []) expectSeen(shown, e, false);
      if (i < c.turns.length - 1) expect(client.dialogTurnResult.status).toBe(DialogTurnStatus.waiting);
    }
    if (c.result) {
      expect(client.dialogTurnResult.status).toBe(DialogTurnStatus.complete);
      expect(client.dialogTurnResult.result).toMatchObject(c.result);
    }
    if (c.feedback) {
      expect(recorded).toHaveLength(c.feedback.length);
      c.feedback.forEach((f, i) => expect(recorded[i]).toMatchObject(f));
      const stored = await feedbackRepository.countByArticle();
      expect(stored.reduce((n, s) => n + s.helpful + s.notHelpful, 0)).toBe(c.feedback.length);
    }
    if (c.handoff) {
      expect(handoffs).toHaveLength(c.handoff.length);
      c.handoff.forEach((h, i) => expect(handoffs[i]).toMatchObject({ channelId: 'test', userId: 'user1', ...h }));
      if (handoffs[0]) {
        const logged = await handoffRepository.listByConversation('test', handoffs[0].conversationId);
        expect(logged.map((r) => r.reason)).toEqual(c.handoff.map((h) => h.reason));
      }
    }
  });
});
