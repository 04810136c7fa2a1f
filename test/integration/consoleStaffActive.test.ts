import type { Connection } from 'mongoose';
import { startApp, type RunningApp } from '../support/appHarness';
import { ConsoleClient, ADMIN, ADMIN_ENV, addStaff, signIn, type StaffAccount } from '../support/consoleClient';
import { allHoursDesk, type AllHoursDesk } from '../support/allHoursDesk';
import type { ConsoleParts } from '../../bot/console/consoleComposition';

const LEAVER: StaffAccount = { email: 'zhao.lei@rapport.test', password: 'Leaver-Paper-Kettle-4', displayName: '赵磊', role: 'agent' };
const COLLEAGUE: StaffAccount = { email: 'sun.li@rapport.test', password: 'Colleague-Bright-Oar-6', displayName: '孙丽', role: 'agent' };

/** Resolves true when the response body ends within the timeout, false when it is still open. */
async function endsWithin(body: ReadableStream<Uint8Array>, timeoutMs: number): Promise<boolean> {
  const reader = body.getReader();
  const done = (async () => { for (;;) if ((await reader.read()).done) return true; })().catch(() => true);
  const timer = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs));
  const ended = await Promise.race([done, timer]);
  if (!ended) await reader.cancel().catch(() => undefined);
  return ended;
}

describe.each([['embedded'], ['services']] as const)('Deactivating staff accounts over HTTP (%s storage)', (storage) => {
  let running: RunningApp;
  let desking: AllHoursDesk;
  let admin: ConsoleClient;
  const consoleParts = () => running.app.parts.console as ConsoleParts;
  const staffIdOf = async (email: string): Promise<string> =>
    (await admin.call('GET', '/api/console/staff')).body.staff.find((s: { email: string }) => s.email === email).staffId;

  beforeAll(async () => {
    running = await startApp({ storage, env: { ...ADMIN_ENV, CONSOLE_LOGIN_MAX_FAILURES: '20' } });
    desking = allHoursDesk(running.app.parts.mongo as Connection | undefined);
    running.app.parts.handoff = desking.desk;
    admin = await addStaff(running.baseUrl, [LEAVER, COLLEAGUE]);
  }, 60000);
  afterAll(async () => {
    await desking?.close();
    await running?.stop();
  });

  test('When an admin deactivates a signed-in agent, then both their sessions answer 401 at once, their event stream ends, they cannot sign in, and a colleague is untouched; reactivated, they sign in again', async () => {
    const leaverId = await staffIdOf(LEAVER.email);
    const laptop = await signIn(running.baseUrl, LEAVER);
    const phone = await signIn(running.baseUrl, LEAVER);
    const colleague = await signIn(running.baseUrl, COLLEAGUE);
    expect((await laptop.call('GET', '/api/console/queue')).status).toBe(200);
    const stream = await fetch(`${running.baseUrl}/api/console/events`, { headers: { cookie: laptop.cookieHeader() } });
    expect(stream.status).toBe(200);

    const off = await admin.call('PUT', `/api/console/staff/${leaverId}/active`, { active: false });
    expect([off.status, off.body.staff.active, off.body.staff.staffId]).toEqual([200, false, leaverId]);

    expect(await endsWithin(stream.body!, 3000)).toBe(true);
    for (const client of [laptop, phone]) {
      const res = await client.call('GET', '/api/console/queue');
      expect([res.status, res.body.code]).toEqual([401, 'unauthenticated']);
    }
    expect((await laptop.call('POST', '/api/console/cases/x/claim', {})).status).toBe(401);
    expect((await new ConsoleClient(running.baseUrl).login(LEAVER.email, LEAVER.password)).status).toBe(401);
    expect((await colleague.call('GET', '/api/console/queue')).status).toBe(200);
    expect((await admin.call('GET', '/api/console/staff')).body.staff.find((s: { staffId: string }) => s.staffId === leaverId).active).toBe(false);

    const on = await admin.call('PUT', `/api/console/staff/${leaverId}/active`, { active: true });
    expect([on.status, on.body.staff.active]).toEqual([200, true]);
    // The old sessions stay gone: only a new sign-in works.
    expect((await laptop.call('GET', '/api/console/queue')).status).toBe(401);
    const back = await signIn(running.baseUrl, LEAVER);
    expect((await back.call('GET', '/api/console/me')).body.staff).toMatchObject({ staffId: leaverId, active: true });
  });

  test('When the admin changes an account, then a staff.active event names the admin, the account and the new state', async () => {
    const colleagueId = await staffIdOf(COLLEAGUE.email);
    const adminId = (await admin.call('GET', '/api/console/me')).body.staff.staffId;
    expect((await admin.call('PUT', `/api/console/staff/${colleagueId}/active`, { active: false })).status).toBe(200);
    expect((await admin.call('PUT', `/api/console/staff/${colleagueId}/active`, { active: true })).status).toBe(200);
    const events = (await consoleParts().audit.list({ type: 'staff.active' })).filter((e) => e.detail?.staff === colleagueId);
    // Both may carry the same millisecond, so their order is not asserted.
    expect(events.map((e) => [e.staffId, e.detail]).sort((x, y) => String(x[1]).localeCompare(String(y[1])))).toHaveLength(2);
    expect(events.map((e) => [e.staffId, e.detail])).toEqual(expect.arrayContaining([
      [adminId, { staff: colleagueId, active: false }],
      [adminId, { staff: colleagueId, active: true }],
    ]));
  });

  test('When an admin tries to deactivate themselves, then 409 cannot_deactivate_self and they stay signed in', async () => {
    const adminId = (await admin.call('GET', '/api/console/me')).body.staff.staffId;
    const res = await admin.call('PUT', `/api/console/staff/${adminId}/active`, { active: false });
    expect([res.status, res.body.code]).toEqual([409, 'cannot_deactivate_self']);
    expect((await admin.call('GET', '/api/console/me')).body.staff).toMatchObject({ email: ADMIN.email, active: true });
  });

  test('When the id is unknown or the body is not {active: boolean}, then 404 and 400, and nothing changes', async () => {
    const unknown = await admin.call('PUT', '/api/console/staff/no-such-staff/active', { active: false });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'staff_not_found']);
    const colleagueId = await staffIdOf(COLLEAGUE.email);
    for (const body of [{}, { active: 'false' }, { active: 0 }, { active: null }]) {
      const res = await admin.call('PUT', `/api/console/staff/${colleagueId}/active`, body);
      expect([JSON.stringify(body), res.status, res.body.code]).toEqual([JSON.stringify(body), 400, 'invalid_active']);
    }
    expect((await admin.call('GET', '/api/console/staff')).body.staff.find((s: { staffId: string }) => s.staffId === colleagueId).active).toBe(true);
  });

  test('When an agent calls the endpoint, then 403 and the account stays active; without the CSRF header, 403 too', async () => {
    const colleagueId = await staffIdOf(COLLEAGUE.email);
    const agent = await signIn(running.baseUrl, LEAVER);
    const res = await agent.call('PUT', `/api/console/staff/${colleagueId}/active`, { active: false });
    expect([res.status, res.body.code]).toEqual([403, 'forbidden']);
    const noCsrf = await admin.call('PUT', `/api/console/staff/${colleagueId}/active`, { active: false }, { csrf: false });
    expect([noCsrf.status, noCsrf.body.code]).toEqual([403, 'csrf_failed']);
    expect((await admin.call('GET', '/api/console/staff')).body.staff.find((s: { staffId: string }) => s.staffId === colleagueId).active).toBe(true);
  });
});
