/**
 * Complaint and complaint-status dialogs, driven by the case tables in
 * test/fixtures/dialogs/complaintDialog.json and complaintStatusDialog.json (zh-CN and en).
 * A case: turns of {user, expect: [substring or "/regex/"], reject?: [...]}, and what must be
 * true afterwards: the dialog result, the stored ticket (null: none), the handoff requests.
 * "{ref0}"… in a turn stand for the references of tickets seeded before the case runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MemoryStorage, type Activity } from 'botbuilder';
import { BusinessCalendar } from '../../../services/calendar/businessCalendar';
import { ComplaintService } from '../../../services/tickets/complaintService';
import { EmbeddedDatabase } from '../../../models/embedded/embeddedDatabase';
import { EmbeddedTicketRepository } from '../../../models/tickets/embeddedTicketRepository';
import { ComplaintDialog, type ComplaintDialogOptions } from '../../../dialogs/complaintDialog';
import { ComplaintStatusDialog } from '../../../dialogs/complaintStatusDialog';
import type { ComplaintInput } from '../../../services/tickets/complaintService';
import { createInterruptionDependencies, dialogClient, repoRoot } from '../../support/dialogHarness';

interface Turn { user: string; from?: string; expect: string[]; reject?: string[] }
interface DialogCase {
  name: string;
  locale: 'zh-CN' | 'en';
  options?: Record<string, unknown>;
  from?: string;
  /** Tickets filed before the case; `resolvedWith` then resolves one as staff would (note, ISO time). */
  seed?: Array<Partial<ComplaintInput> & { resolvedWith?: { note: string; at: string } }>;
  turns: Turn[];
  result?: Record<string, unknown>;
  ticket?: Record<string, unknown> | null;
  handoffs?: Array<{ reason: string; detail?: string }>;
}

/** Friday 27 November 2026, 16:00 in Shanghai: SLAs run over the weekend. */
const NOW = new Date('2026-11-27T08:00:00Z');
const TEST_USER = 'user';
const calendar = BusinessCalendar.fromDirectory(path.join(repoRoot, 'config/calendars'));

function loadCases(file: string): DialogCase[] {
  return JSON.parse(fs.readFileSync(path.join(repoRoot, 'test/fixtures/dialogs', file), 'utf8')) as DialogCase[];
}

function setUp() {
  const deps = createInterruptionDependencies();
  const tickets = new EmbeddedTicketRepository(new EmbeddedDatabase(null));
  const complaints = new ComplaintService(tickets, calendar, { now: () => NOW });
  return { deps: { ...deps, complaints }, tickets, complaints };
}

const toMatcher = (pattern: string) => pattern.length > 2 && pattern.startsWith('/') && pattern.endsWith('/')
  ? new RegExp(pattern.slice(1, -1))
  : pattern;

/** Turns "/regex/" strings anywhere in an expected object into regex matchers. */
function expected(value: unknown): unknown {
  if (typeof value === 'string') {
    const matcher = toMatcher(value);
    return matcher instanceof RegExp ? expect.stringMatching(matcher) : value;
  }
  if (Array.isArray(value)) return value.map(expected);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expected(v)]));
  return value;
}

function substitute(text: string, refs: string[]): string {
  return text.replace(/\{ref(\d)\}/g, (_m, i: string) => refs[Number(i)]);
}

/** All the text a client sees in a reply: the message and its button titles. */
function visibleText(reply: Partial<Activity>): string {
  const buttons = reply.suggestedActions?.actions?.map((a) => a.title) ?? [];
  return [reply.text ?? '', ...buttons].join('\n');
}

async function runCase(kind: 'complaint' | 'status', c: DialogCase): Promise<void> {
  const { deps, tickets, complaints } = setUp();
  const refs: string[] = [];
  for (const { resolvedWith, ...seed } of c.seed ?? []) {
    const ticket = await complaints.fileComplaint({
      channelId: 'test', userId: TEST_USER, conversationId: 'earlier', language: c.locale,
      category: 'fees_charges', description: '账户管理费被重复收取', severity: 'high',
      contact: { kind: 'mobile', value: '+8613812345678' }, ...seed,
    });
    if (resolvedWith) {
      const at = new Date(resolvedWith.at);
      const by = { staffId: 'agent-li', displayName: '李敏' };
      await tickets.transition(ticket.reference, {
        from: 'open', to: 'resolved', event: { id: `resolve-${ticket.reference}`, at, by, from: 'open', to: 'resolved', note: resolvedWith.note },
        assignee: by, resolvedAt: at, resolutionNote: resolvedWith.note,
      });
    }
    refs.push(ticket.reference);
  }
  const options = c.options && JSON.parse(substitute(JSON.stringify(c.options), refs));
  const dialog = kind === 'complaint' ? new ComplaintDialog(deps) : new ComplaintStatusDialog(deps);
  const client = dialogClient(dialog, options as ComplaintDialogOptions | undefined);

  let conversationId = '';
  for (const [i, turn] of c.turns.entries()) {
    const from = turn.from ?? c.from ?? TEST_USER;
    const replies: Partial<Activity>[] = [];
    let reply = await client.sendActivity({ type: 'message', text: substitute(turn.user, refs), locale: c.locale, from: { id: from, name: from } });
    while (reply) {
      replies.push(reply);
      conversationId ||= reply.conversation?.id ?? '';
      reply = client.getNextReply();
    }
    const seen = replies.map(visibleText).join('\n---\n');
    const where = `turn ${i + 1} ("${turn.user}") replied:\n${seen}`;
    for (const pattern of turn.expect) {
      const matcher = toMatcher(substitute(pattern, refs));
      if (matcher instanceof RegExp) expect({ where, matches: matcher.test(seen) }).toEqual({ where, matches: true });
      else expect({ where, contains: seen.includes(matcher) && matcher }).toEqual({ where, contains: matcher });
    }
    for (const pattern of turn.reject ?? []) {
      const matcher = toMatcher(substitute(pattern, refs));
      const hit = matcher instanceof RegExp ? matcher.test(seen) : seen.includes(matcher);
      expect({ where, rejected: pattern, hit }).toEqual({ where, rejected: pattern, hit: false });
    }
  }

  const result = client.dialogTurnResult?.result as Record<string, unknown> | undefined;
  if (c.result) expect(result).toEqual(expected(JSON.parse(substitute(JSON.stringify(c.result), refs))));
  if (c.ticket !== undefined) {
    const open = await tickets.listOpenForUser('test', c.from ?? TEST_USER);
    const filed = open.filter((t) => !refs.includes(t.reference));
    if (c.ticket === null) expect(filed).toEqual([]);
    else {
      expect(filed).toHaveLength(1);
      expect(filed[0]).toMatchObject(expected({ ...c.ticket, reference: result?.reference }) as object);
    }
  }
  if (c.handoffs) {
    const requests = conversationId ? await deps.handoffRepository.listByConversation('test', conversationId) : [];
    expect(requests.map((r) => ({ reason: r.reason, ...(r.detail ? { detail: r.detail } : {}) })))
      .toEqual(c.handoffs.map((h) => ({ ...h, ...(h.detail === '$reference' ? { detail: result?.reference } : {}) })));
  }
}

describe('ComplaintDialog (case table)', () => {
  test.each(loadCases('complaintDialog.json').map((c) => [`[${c.locale}] ${c.name}`, c] as const))('%s', async (_name, c) => {
    await runCase('complaint', c);
  });
});

describe('ComplaintStatusDialog (case table)', () => {
  test.each(loadCases('complaintStatusDialog.json').map((c) => [`[${c.locale}] ${c.name}`, c] as const))('%s', async (_name, c) => {
    await runCase('status', c);
  });
});

describe('Complaint case tables', () => {
  test.each(['complaintDialog.json', 'complaintStatusDialog.json'])('When %s is loaded, then every case name has a zh-CN and an en version', (file) => {
    const cases = loadCases(file);
    const names = (locale: string) => cases.filter((c) => c.locale === locale).map((c) => c.name).sort();
    expect(names('zh-CN')).toEqual(names('en'));
    expect(names('en').length).toBeGreaterThan(3);
  });
});

describe('ComplaintDialog across a restart', () => {
  test('When the bot process restarts mid-complaint, then the next message continues at the same step with the answers kept', async () => {
    const storage = new MemoryStorage();
    const first = setUp();
    const before = dialogClient(new ComplaintDialog(first.deps), undefined, storage);
    await before.sendActivity({ type: 'message', text: '我要投诉', locale: 'zh-CN', from: { id: TEST_USER, name: TEST_USER } });
    await before.sendActivity({ type: 'message', text: '收费问题', locale: 'zh-CN', from: { id: TEST_USER, name: TEST_USER } });
    const asked = await before.sendActivity({ type: 'message', text: '上个月的账户管理费被重复扣了两次', locale: 'zh-CN', from: { id: TEST_USER, name: TEST_USER } });
    expect(asked.text).toContain('请选择问题的紧急程度');

    // A new process: new dialog objects and services over the same stored state and tickets.
    const deps = { ...createInterruptionDependencies(), complaints: new ComplaintService(first.tickets, calendar, { now: () => NOW }) };
    const after = dialogClient(new ComplaintDialog(deps), undefined, storage);
    expect((await after.sendActivity({ type: 'message', text: '高', locale: 'zh-CN', from: { id: TEST_USER, name: TEST_USER } })).text).toContain('我们该如何联系您');
    const summary = await after.sendActivity({ type: 'message', text: '13812345678', locale: 'zh-CN', from: { id: TEST_USER, name: TEST_USER } });
    expect(summary.text).toContain('• 描述：上个月的账户管理费被重复扣了两次');
    expect(summary.text).toContain('• 类别：收费问题');
    expect((await after.sendActivity({ type: 'message', text: '确认提交', locale: 'zh-CN', from: { id: TEST_USER, name: TEST_USER } })).text).toContain('您的投诉已受理');
    expect(await first.tickets.listOpenForUser('test', TEST_USER)).toHaveLength(1);
  });
});

describe('Complaint locale resources', () => {
  test('When complaint.json is loaded in zh-CN and en, then both have the same keys and the same placeholders', () => {
    const read = (language: string) => JSON.parse(fs.readFileSync(path.join(repoRoot, 'locales', language, 'complaint.json'), 'utf8')) as Record<string, string | string[]>;
    const zh = read('zh-CN');
    const en = read('en');
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    const placeholders = (value: string | string[]) => [...new Set([...[value].flat().join('\n').matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
    for (const key of Object.keys(zh)) expect({ key, placeholders: placeholders(zh[key]) }).toEqual({ key, placeholders: placeholders(en[key]) });
  });
});
