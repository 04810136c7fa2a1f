import pino from 'pino';
import path from 'node:path';
import { startApp, type RunningApp } from '../support/appHarness';
import { ConsoleClient, ADMIN, ADMIN_ENV, AGENT, addStaff, signIn } from '../support/consoleClient';
import { allHoursDesk, type AllHoursDesk } from '../support/allHoursDesk';
import type { Connection } from 'mongoose';
import { loadConfig } from '../../bot/config';
import { createApp } from '../../bot/app';
import type { ConsoleParts } from '../../bot/console/consoleComposition';

const SUPERVISOR = { email: 'wang.wei@rapport.test', password: 'Super-Visor-Lantern-9', displayName: 'Wang Wei', role: 'supervisor' };

describe.each([['embedded'], ['services']] as const)('Console auth over HTTP (%s storage)', (storage) => {
  let running: RunningApp;
  let desking: AllHoursDesk;
  const desk = {
    /** Queues a new escalation on the real desk and returns its case. */
    enqueue: async () => {
      const conversationId = `auth-${Math.random().toString(36).slice(2)}`;
      await desking.desk.requestHandoff({ channelId: 'directline', conversationId, userId: `u-${conversationId}`, language: 'zh-CN', reason: 'client_request' });
      return (await desking.desk.openCaseFor('directline', conversationId))!;
    },
    getCase: (caseId: string) => desking.desk.getCase(caseId),
  };
  let admin: ConsoleClient;
  const consoleParts = () => running.app.parts.console as ConsoleParts;

  beforeAll(async () => {
    running = await startApp({ storage, env: { ...ADMIN_ENV, CONSOLE_LOGIN_MAX_FAILURES: '5' } });
    // The real desk, open at all hours, on this app's storage kind.
    desking = allHoursDesk(running.app.parts.mongo as Connection | undefined);
    running.app.parts.handoff = desking.desk;
    admin = await addStaff(running.baseUrl, [AGENT, SUPERVISOR]);
  }, 60000);
  afterAll(async () => {
    await desking?.close();
    await running?.stop();
  });

  test('When the app starts with ADMIN_EMAIL/ADMIN_PASSWORD, then that admin exists and can log in, and the hash is not the password', async () => {
    const me = await admin.call('GET', '/api/console/me');
    expect(me.status).toBe(200);
    expect(me.body.staff).toMatchObject({ email: ADMIN.email, role: 'admin' });
    const list = await admin.call('GET', '/api/console/staff');
    expect(JSON.stringify(list.body)).not.toContain('passwordHash');
    expect(list.body.staff.map((s: any) => s.role).sort()).toEqual(['admin', 'agent', 'supervisor']);
  });

  test('When there is no session, then every console API answers 401', async () => {
    const anonymous = new ConsoleClient(running.baseUrl);
    for (const [method, url] of [['GET', '/api/console/me'], ['GET', '/api/console/queue'], ['GET', '/api/console/active'], ['GET', '/api/console/events'], ['POST', '/api/console/cases/x/claim'], ['GET', '/api/console/staff']]) {
      const res = await anonymous.call(method, url, method === 'POST' ? {} : undefined);
      expect([url, res.status, res.body.code]).toEqual([url, 401, 'unauthenticated']);
    }
  });

  test('When the session cookie is tampered with, then the API answers 401', async () => {
    const agent = new ConsoleClient(running.baseUrl);
    const login = await agent.login(AGENT.email, AGENT.password);
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('rapport_console='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const forged = await fetch(`${running.baseUrl}/api/console/me`, { headers: { cookie: `rapport_console=${cookie.split(';')[0].split('=')[1].replace(/.$/, 'x')}` } });
    expect(forged.status).toBe(401);
  });

  test('When an agent calls supervisor or admin APIs, then they get 403', async () => {
    const agent = await signIn(running.baseUrl, AGENT);
    expect((await agent.call('GET', '/api/console/staff')).status).toBe(403);
    expect((await agent.call('POST', '/api/console/staff', { email: 'x@rapport.test', password: 'Whatever-Long-Pass-1', role: 'admin', displayName: 'X' })).status).toBe(403);
    const held = await desk.enqueue();
    const supervisor = await signIn(running.baseUrl, SUPERVISOR);
    expect((await supervisor.call('POST', `/api/console/cases/${held.caseId}/claim`, {})).status).toBe(200);
    const transfer = await agent.call('POST', `/api/console/cases/${held.caseId}/transfer`, { toStaffId: (await agent.call('GET', '/api/console/me')).body.staff.staffId });
    expect(transfer.status).toBe(403);
    expect((await agent.call('GET', `/api/console/cases/${held.caseId}`)).status).toBe(403);
  });

  test('When a state-changing call has no CSRF token or a wrong one, then it gets 403 and nothing changes', async () => {
    const agent = await signIn(running.baseUrl, AGENT);
    const queued = await desk.enqueue();
    const missing = await agent.call('POST', `/api/console/cases/${queued.caseId}/claim`, {}, { csrf: false });
    expect([missing.status, missing.body.code]).toEqual([403, 'csrf_failed']);
    // A real session, but the header does not match the token bound to it.
    const wrong = await fetch(`${running.baseUrl}/api/console/cases/${queued.caseId}/claim`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': 'guess', cookie: `${agent.cookieHeader()}; rapport_csrf=guess` }, body: '{}',
    });
    expect(wrong.status).toBe(403);
    expect((await desk.getCase(queued.caseId))?.status).toBe('queued');
    expect((await agent.call('POST', `/api/console/cases/${queued.caseId}/claim`, {})).status).toBe(200);
  });

  test('When staff log in, claim, transfer, view and end a case, then each is an audit event', async () => {
    const audit = consoleParts().audit;
    const supervisor = await signIn(running.baseUrl, SUPERVISOR);
    const me = (await supervisor.call('GET', '/api/console/me')).body.staff;
    const item = await desk.enqueue();
    await supervisor.call('POST', `/api/console/cases/${item.caseId}/claim`, {});
    const agent = (await supervisor.call('GET', '/api/console/colleagues')).body.staff.find((s: any) => s.role === 'agent');
    expect((await supervisor.call('POST', `/api/console/cases/${item.caseId}/transfer`, { toStaffId: agent.staffId })).status).toBe(200);
    expect((await desk.getCase(item.caseId))?.claimedBy?.displayName).toBe(AGENT.displayName);
    await supervisor.call('GET', `/api/console/cases/${item.caseId}`);
    expect((await supervisor.call('POST', `/api/console/cases/${item.caseId}/end`, { outcome: 'bot' })).status).toBe(200);
    const mine = (await audit.list({ staffId: me.staffId })).map((e) => e.type);
    expect(mine).toEqual(expect.arrayContaining(['login_success', 'claim', 'transfer', 'transcript_view', 'end']));
  });
  // Last: it locks 127.0.0.1 for this app instance.
  test('When a password is wrong five times, then the account is locked (429) even for the right password, and per IP too', async () => {
    const email = `lock-${storage}@rapport.test`;
    await admin.call('POST', '/api/console/staff', { email, password: 'Lock-Me-Out-Please-1', displayName: 'Locked', role: 'agent' });
    const client = new ConsoleClient(running.baseUrl);
    for (let i = 0; i < 5; i += 1) expect((await client.login(email, `wrong-password-${i}`)).status).toBe(401);
    const locked = await client.login(email, 'Lock-Me-Out-Please-1');
    expect([locked.status, locked.body.code]).toEqual([429, 'login_locked']);
    // The same IP (127.0.0.1) has now failed five times too: other accounts are throttled from it.
    expect((await client.login(AGENT.email, AGENT.password)).status).toBe(429);
    const failures = await consoleParts().audit.list({ type: 'login_failure' });
    expect(failures.filter((e) => e.email === email)).toHaveLength(5);
  });

});

describe('Console configuration', () => {
  const base = { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' };
  const cwd = path.resolve(__dirname, '../..');

  test('When the console runs in production without CONSOLE_SESSION_SECRET, then the start fails naming the variable', async () => {
    const config = loadConfig({ ...base, NODE_ENV: 'production', DATA_DIR: '/tmp/rapport-console-prod' }, { cwd });
    await expect(createApp(config, pino({ level: 'silent' }))).rejects.toThrow(/CONSOLE_SESSION_SECRET is required in production/);
  });

  test('When ADMIN_PASSWORD is short, then the start fails and no admin is created', async () => {
    const running = startApp({ storage: 'embedded', env: { ADMIN_EMAIL: 'weak@rapport.test', ADMIN_PASSWORD: 'short1' } });
    await expect(running).rejects.toThrow(/ADMIN_PASSWORD rejected: the password must have at least 12 characters/);
  });
});
