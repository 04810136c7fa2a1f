/**
 * Data-driven tests of the callback dialogs: the case tables are in
 * test/fixtures/dialogs/callback-booking.json and callback-manage.json; this file only runs
 * them. Every case runs on its own embedded store with the clock fixed.
 */
import path from 'node:path';
import type { Activity, TurnContext } from 'botbuilder';
import type { DialogTestClient } from 'botbuilder-testing';
import { DateTime } from 'luxon';
import { BusinessCalendar } from '../../../services/calendar/businessCalendar';
import { CallbackService } from '../../../services/callbacks/callbackService';
import { EmbeddedDatabase } from '../../../models/embedded/embeddedDatabase';
import { EmbeddedCallbackRepository } from '../../../models/callbacks/embeddedCallbackRepository';
import { CallbackBookingDialog } from '../../../dialogs/callbackBookingDialog';
import { CallbackManageDialog, type CallbackManageOptions } from '../../../dialogs/callbackManageDialog';
import { createInterruptionDependencies, dialogClient, repoRoot } from '../../support/dialogHarness';

const ZONE = 'Asia/Shanghai';
const DEFAULT_NOW = '2026-11-30T10:00:00+08:00';
const TEST_USER = 'user1';

interface Turn { user: string; expect?: string[]; reject?: string[]; fillBefore?: string[] }
interface Setup {
  fill?: string[];
  bookings?: Array<{ reference: string; slot: string; topic?: string; userId?: string }>;
}
interface Case {
  name: string;
  /** Messages the recognizer takes for a new request, with their intent (the rule on the shipped model: test/unit/nlu/newRequestShippedModel.test.ts). */
  newRequests?: Record<string, string>;
  locale: 'zh-CN' | 'en';
  now?: string;
  options?: unknown;
  setup?: Setup;
  turns: Turn[];
  result?: Record<string, unknown>;
  bookedFor?: number;
  bookedAt?: string[];
  othersBookedAt?: string[];
}
interface Say { user: string; expect: string[]; outcome: string }

const booking = require(path.join(repoRoot, 'test/fixtures/dialogs/callback-booking.json')) as {
  cases: Case[];
  interruptions: { start: Record<'zh-CN' | 'en', string>; paths: Record<'zh-CN' | 'en', Record<string, string[]>>; say: Record<'zh-CN' | 'en', Say[]> };
};
const manage = require(path.join(repoRoot, 'test/fixtures/dialogs/callback-manage.json')) as {
  cases: Case[];
  interruptions: { setup: Setup; steps: Record<string, { options: CallbackManageOptions; path: Record<'zh-CN' | 'en', string[]> }>; say: Record<'zh-CN' | 'en', Say[]> };
};

const wall = (text: string) => DateTime.fromFormat(text, 'yyyy-LL-dd HH:mm', { zone: ZONE }).toJSDate();
const calendar = BusinessCalendar.fromDirectory(path.join(repoRoot, 'config/calendars'), { timeZone: ZONE, logger: { warn: () => undefined } });

async function world(c: Pick<Case, 'now' | 'setup' | 'newRequests'>) {
  const repository = new EmbeddedCallbackRepository(new EmbeddedDatabase(null));
  let now = new Date(c.now ?? DEFAULT_NOW);
  const callbacks = new CallbackService(repository, { calendar, timeZone: ZONE, capacityPerSlot: 2, now: () => now });
  const deps = {
    ...createInterruptionDependencies(), callbacks,
    isNewRequest: (context: TurnContext, except: readonly string[] = []) => {
      const intent = c.newRequests?.[context.activity.text ?? ''];
      return intent !== undefined && !except.includes(intent);
    },
  };
  // Setup happens "yesterday" so its bookings are not refused as past.
  const setupNow = now;
  now = new Date(now.getTime() - 24 * 3600_000);
  for (const b of c.setup?.bookings ?? []) {
    await repository.book({
      reference: b.reference, channelId: 'test', userId: b.userId ?? TEST_USER, conversationId: 'earlier', language: 'zh-CN',
      topic: b.topic ?? 'loan_consultation', phone: '+8613812345678', slotStart: wall(b.slot), createdAt: now, reminderDueAt: wall(b.slot),
    }, 2);
  }
  const fill = async (slots: string[]) => {
    for (const slot of slots) {
      for (let i = (await repository.seatsTaken([wall(slot)])).get(wall(slot).toISOString()) ?? 0; i < callbacks.capacityPerSlot; i++) {
        const result = await callbacks.book({ channelId: 'test', userId: `filler-${i}`, conversationId: 'f', language: 'zh-CN', topic: 'other', phone: '+8613900000000', slotStart: wall(slot) });
        if (!result.booked) throw new Error(`setup could not fill ${slot}: ${result.reason}`);
      }
    }
  };
  await fill(c.setup?.fill ?? []);
  now = setupNow;
  return { deps, callbacks, repository, fill };
}

/** Sends one message and gathers every reply of the turn: texts and button titles. */
async function say(client: DialogTestClient, text: string, locale: string): Promise<{ text: string; replies: Partial<Activity>[] }> {
  const replies: Partial<Activity>[] = [];
  let reply = await client.sendActivity({ type: 'message', text, locale } as Partial<Activity>);
  while (reply) {
    replies.push(reply);
    reply = client.getNextReply();
  }
  const parts = replies.flatMap((r) => [r.text ?? '', ...(r.suggestedActions?.actions ?? []).map((a) => `[${a.title}]`)]);
  return { text: parts.join('\n'), replies };
}

function check(text: string, turn: { user: string; expect?: string[]; reject?: string[] }): void {
  for (const e of turn.expect ?? []) {
    const regex = /^\/(.*)\/$/.exec(e);
    if (regex) expect({ user: turn.user, text }).toEqual({ user: turn.user, text: expect.stringMatching(new RegExp(regex[1])) });
    else expect({ user: turn.user, text }).toEqual({ user: turn.user, text: expect.stringContaining(e) });
  }
  for (const r of turn.reject ?? []) expect({ user: turn.user, text }).toEqual({ user: turn.user, text: expect.not.stringContaining(r) });
}

async function slotsOf(callbacks: CallbackService, userId: string): Promise<string[]> {
  return (await callbacks.listForUser('test', userId)).map((b) => DateTime.fromJSDate(b.slotStart, { zone: ZONE }).toFormat('yyyy-LL-dd HH:mm'));
}

async function runCase(c: Case, makeDialog: (deps: Awaited<ReturnType<typeof world>>['deps']) => CallbackBookingDialog | CallbackManageDialog) {
  const { deps, callbacks, fill } = await world(c);
  const client = dialogClient(makeDialog(deps), c.options);
  for (const turn of c.turns) {
    await fill(turn.fillBefore ?? []);
    check((await say(client, turn.user, c.locale)).text, turn);
  }
  if (c.result) expect(client.dialogTurnResult.result).toMatchObject(c.result);
  if (c.bookedFor !== undefined) expect(await callbacks.listForUser('test', TEST_USER)).toHaveLength(c.bookedFor);
  if (c.bookedAt) expect(await slotsOf(callbacks, TEST_USER)).toEqual(c.bookedAt);
  if (c.othersBookedAt) expect(await slotsOf(callbacks, 'someone-else')).toEqual(c.othersBookedAt);
}

describe('CallbackBookingDialog', () => {
  test.each(booking.cases.map((c) => [`When ${c.name}`, c] as const))('%s', async (_name, c) => {
    await runCase(c, (deps) => new CallbackBookingDialog(deps));
  });

  const interruptionCases = (['zh-CN', 'en'] as const).flatMap((locale) =>
    Object.entries(booking.interruptions.paths[locale]).flatMap(([step, path]) =>
      booking.interruptions.say[locale].map((s) => [`When a client says "${s.user}" at the ${step} step (${locale}), then the booking ends as ${s.outcome} and nothing is booked`, locale, path, s] as const)));
  test.each(interruptionCases)('%s', async (_name, locale, path, s) => {
    const { deps, callbacks } = await world({});
    const client = dialogClient(new CallbackBookingDialog(deps));
    for (const text of [booking.interruptions.start[locale], ...path]) await say(client, text, locale);
    const { text, replies } = await say(client, s.user, locale);
    check(text, s);
    expect(client.dialogTurnResult.result).toEqual({ outcome: s.outcome });
    expect(await callbacks.listForUser('test', TEST_USER)).toHaveLength(0);
    const handoffs = await deps.handoffRepository.listByConversation('test', replies[0].conversation!.id);
    expect(handoffs).toHaveLength(s.outcome === 'handoff' ? 1 : 0);
  });
});

describe('CallbackManageDialog', () => {
  test.each(manage.cases.map((c) => [`When ${c.name}`, c] as const))('%s', async (_name, c) => {
    await runCase(c, (deps) => new CallbackManageDialog(deps));
  });

  const interruptionCases = (['zh-CN', 'en'] as const).flatMap((locale) =>
    Object.entries(manage.interruptions.steps).flatMap(([step, { options, path }]) =>
      manage.interruptions.say[locale].map((s) => [`When a client says "${s.user}" at the ${step} step (${locale}), then managing ends as ${s.outcome} and the bookings stay`, locale, options, path[locale], s] as const)));
  test.each(interruptionCases)('%s', async (_name, locale, options, path, s) => {
    const { deps, callbacks } = await world({ setup: manage.interruptions.setup });
    const client = dialogClient(new CallbackManageDialog(deps), { ...options });
    for (const text of path) await say(client, text, locale);
    check((await say(client, s.user, locale)).text, s);
    expect(client.dialogTurnResult.result).toEqual({ outcome: s.outcome });
    expect(await slotsOf(callbacks, TEST_USER)).toEqual(['2026-12-01 15:00', '2026-12-02 10:00']);
  });
});
