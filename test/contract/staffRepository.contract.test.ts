import Redis from 'ioredis';
import { EmbeddedDatabase } from '../../models/embedded/embeddedDatabase';
import { EmbeddedStaffRepository } from '../../models/staff/embeddedStaffRepository';
import { MongoStaffRepository } from '../../models/staff/mongoStaffRepository';
import { EmbeddedLoginAttemptRepository } from '../../models/staff/embeddedLoginAttemptRepository';
import { MongoLoginAttemptRepository } from '../../models/staff/mongoLoginAttemptRepository';
import { EmbeddedAuditEventRepository } from '../../models/audit/embeddedAuditEventRepository';
import { MongoAuditEventRepository } from '../../models/audit/mongoAuditEventRepository';
import { EmbeddedSessionStore } from '../../models/staff/embeddedSessionStore';
import { RedisSessionStore } from '../../models/staff/redisSessionStore';
import type { AuditEventRepository } from '../../services/audit/auditEventRepository';
import type { LoginAttemptRepository, StaffRecord, StaffRepository } from '../../services/staff/staffRepository';
import type { SessionStore } from '../../services/staff/sessionStore';
import { redisUrl, uniquePrefix } from '../support/services';
import { mongoConnections } from '../support/storeFactories';

const mongo = mongoConnections();
const redisClients: Redis[] = [];
afterAll(async () => { await Promise.all(redisClients.map((r) => r.quit())); });

interface Backends { staff: StaffRepository; attempts: LoginAttemptRepository; audit: AuditEventRepository; sessions: SessionStore }
const factories: Array<[string, () => Promise<Backends>]> = [
  ['embedded', async () => {
    const db = new EmbeddedDatabase(null);
    return { staff: new EmbeddedStaffRepository(db), attempts: new EmbeddedLoginAttemptRepository(db), audit: new EmbeddedAuditEventRepository(db), sessions: new EmbeddedSessionStore(db) };
  }],
  ['mongo + redis', async () => {
    const c = await mongo();
    const redis = new Redis(redisUrl());
    redisClients.push(redis);
    return { staff: new MongoStaffRepository(c), attempts: new MongoLoginAttemptRepository(c), audit: new MongoAuditEventRepository(c), sessions: new RedisSessionStore(redis, uniquePrefix('sessions')) };
  }],
];

const staffRecord = (email: string, role: StaffRecord['role'] = 'agent'): StaffRecord => ({
  staffId: `s-${Math.random().toString(36).slice(2)}`, email, displayName: email.split('@')[0], role,
  passwordHash: '$2b$04$notarealhashnotarealhashnotarealhashnotarealhashno', active: true, createdAt: new Date('2026-11-30T01:00:00Z'),
});

describe.each(factories)('Staff storage (%s)', (_name, create) => {
  test('When a staff member is added, then they are found by e-mail (any case) and by id, and counted by role', async () => {
    const { staff } = await create();
    const record = staffRecord('Li.Na@Bank.test');
    await staff.add(record);
    await staff.add(staffRecord('boss@bank.test', 'supervisor'));
    expect(await staff.findByEmail('li.na@bank.test')).toEqual({ ...record, email: 'li.na@bank.test' });
    expect((await staff.findById(record.staffId))?.email).toBe('li.na@bank.test');
    expect(await staff.findByEmail('nobody@bank.test')).toBeUndefined();
    expect(await staff.countByRole('agent')).toBe(1);
    expect(await staff.countByRole('admin')).toBe(0);
    expect((await staff.list()).map((s) => s.role).sort()).toEqual(['agent', 'supervisor']);
  });

  test('When the same e-mail is added five times at once, then exactly one account exists and the others get 409 email_taken', async () => {
    const { staff } = await create();
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => staff.add(staffRecord('same@bank.test'))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) expect(r.reason).toMatchObject({ status: 409, code: 'email_taken' });
    expect((await staff.list()).filter((s) => s.email === 'same@bank.test')).toHaveLength(1);
  });

  test('When a Teams user is linked to an account, then it is found by that id (a GUID in any case), not by another, and unlinking forgets it', async () => {
    const { staff } = await create();
    const linked = { ...staffRecord('li.min@bank.test'), teamsUserId: '7FAF8AB2-3D56-4244-B585-20C8A42ED2B8' };
    const other = staffRecord('wang.fang@bank.test');
    await staff.add(linked);
    await staff.add(other);
    expect((await staff.findByTeamsUserId('7faf8ab2-3d56-4244-b585-20c8a42ed2b8'))?.staffId).toBe(linked.staffId);
    expect((await staff.findByTeamsUserId(' 7FAF8AB2-3D56-4244-B585-20C8A42ED2B8 '))?.teamsUserId).toBe('7faf8ab2-3d56-4244-b585-20c8a42ed2b8');
    expect(await staff.findByTeamsUserId('00000000-0000-0000-0000-000000000000')).toBeUndefined();
    expect(await staff.findByTeamsUserId('')).toBeUndefined();
    expect((await staff.findById(other.staffId))?.teamsUserId).toBeUndefined();

    expect(await staff.setTeamsUserId(other.staffId, '29:1GcS4EyB_oSI8A88XmWBN7NkFyMqeHUX')).toBe(true);
    expect((await staff.findByTeamsUserId('29:1GcS4EyB_oSI8A88XmWBN7NkFyMqeHUX'))?.email).toBe('wang.fang@bank.test');
    expect(await staff.findByTeamsUserId('29:1gcs4eyb_osi8a88xmwbn7nkfymqehux')).toBeUndefined();
    expect(await staff.setTeamsUserId(linked.staffId, undefined)).toBe(true);
    expect(await staff.findByTeamsUserId('7faf8ab2-3d56-4244-b585-20c8a42ed2b8')).toBeUndefined();
    expect((await staff.findById(linked.staffId))?.teamsUserId).toBeUndefined();
    expect(await staff.setTeamsUserId('no-such-staff', 'x')).toBe(false);
  });

  test('When an account is deactivated and reactivated, then only that account changes, and an unknown id answers false', async () => {
    const { staff } = await create();
    const leaving = staffRecord('leaving@bank.test');
    const staying = staffRecord('staying@bank.test');
    await staff.add(leaving);
    await staff.add(staying);
    expect(await staff.setActive(leaving.staffId, false)).toBe(true);
    expect((await staff.findById(leaving.staffId))?.active).toBe(false);
    expect((await staff.findByEmail('leaving@bank.test'))?.active).toBe(false);
    expect((await staff.findById(staying.staffId))?.active).toBe(true);
    expect(await staff.setActive(leaving.staffId, false)).toBe(true);
    expect(await staff.setActive(leaving.staffId, true)).toBe(true);
    expect((await staff.findById(leaving.staffId))).toEqual(leaving);
    expect(await staff.setActive('no-such-staff', false)).toBe(false);
  });

  test('When logins fail, then failures are counted per key inside the window, concurrent ones all counted, and clear forgets them', async () => {
    const { attempts } = await create();
    const t = (m: number) => new Date(Date.UTC(2026, 10, 30, 2, m));
    await attempts.recordFailure('email:a@bank.test', t(0));
    await Promise.all([1, 2, 3].map((m) => attempts.recordFailure('email:a@bank.test', t(m))));
    await attempts.recordFailure('ip:10.0.0.1', t(3));
    expect(await attempts.countFailuresSince('email:a@bank.test', t(1))).toBe(3);
    expect(await attempts.countFailuresSince('email:a@bank.test', t(0))).toBe(4);
    await attempts.clear('email:a@bank.test');
    expect(await attempts.countFailuresSince('email:a@bank.test', t(0))).toBe(0);
    expect(await attempts.countFailuresSince('ip:10.0.0.1', t(0))).toBe(1);
  });

  test('When audit events are added, then they are listed newest first and filtered by type, staff and case', async () => {
    const { audit } = await create();
    await audit.add({ type: 'login_success', at: new Date('2026-11-30T01:00:00Z'), staffId: 's1', ip: '10.0.0.1' });
    await audit.add({ type: 'claim', at: new Date('2026-11-30T01:05:00Z'), staffId: 's1', caseId: 'c1' });
    await audit.add({ type: 'transcript_view', at: new Date('2026-11-30T01:06:00Z'), staffId: 's2', caseId: 'c1' });
    await audit.add({ type: 'login_failure', at: new Date('2026-11-30T01:07:00Z'), email: 'x@bank.test', ip: '10.0.0.9' });
    expect((await audit.list()).map((e) => e.type)).toEqual(['login_failure', 'transcript_view', 'claim', 'login_success']);
    expect((await audit.list({ staffId: 's1' })).map((e) => e.type)).toEqual(['claim', 'login_success']);
    expect(await audit.list({ caseId: 'c1', type: 'transcript_view' })).toEqual([{ type: 'transcript_view', at: new Date('2026-11-30T01:06:00Z'), staffId: 's2', caseId: 'c1' }]);
  });

  test('When a session is saved, then it is read back until it expires or is deleted', async () => {
    const { sessions } = await create();
    const live = { sessionId: 'live', staffId: 's1', role: 'agent' as const, displayName: 'A', csrfToken: 't', expiresAt: new Date(Date.now() + 60_000) };
    const short = { ...live, sessionId: 'short', expiresAt: new Date(Date.now() + 300) };
    await sessions.save(live);
    await sessions.save(short);
    expect(await sessions.get('live')).toEqual(live);
    expect(await sessions.get('short')).toEqual(short);
    await new Promise((r) => setTimeout(r, 500));
    expect(await sessions.get('short')).toBeUndefined();
    await sessions.delete('live');
    expect(await sessions.get('live')).toBeUndefined();
    expect(await sessions.get('never')).toBeUndefined();
  });

  test("When a staff member's sessions are deleted by staff id, then all of theirs are gone and a colleague's stays", async () => {
    const { sessions } = await create();
    const base = { role: 'agent' as const, displayName: 'A', csrfToken: 't', expiresAt: new Date(Date.now() + 60_000) };
    const mine = ['m1', 'm2', 'm3'].map((sessionId) => ({ ...base, sessionId, staffId: 'leaver' }));
    const colleague = { ...base, sessionId: 'c1', staffId: 'stayer' };
    await Promise.all([...mine, colleague].map((s) => sessions.save(s)));
    await sessions.deleteByStaffId('leaver');
    for (const s of mine) expect(await sessions.get(s.sessionId)).toBeUndefined();
    expect(await sessions.get('c1')).toEqual(colleague);
    await sessions.deleteByStaffId('nobody');
    const again = { ...base, sessionId: 'm4', staffId: 'leaver' };
    await sessions.save(again);
    expect(await sessions.get('m4')).toEqual(again);
  });
});
