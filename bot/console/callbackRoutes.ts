/**
 * The console's callback desk API (docs/CONSOLE.md, "Callbacks"): the list of callbacks to work
 * (a day in the bank's time zone by default today), one callback with its history, taking or
 * handing on a callback, and recording its outcome. Agent and up; the session's staff member is
 * the actor; the desk audits every change.
 */
import type { Request, Server } from 'restify';
import { AppError } from '../../services/appError';
import { CALLBACK_STATUSES, type CallbackDesk, type CallbackDeskQuery, type DeskCallback } from '../../services/callbacks/callbackDesk';
import { MAX_CALLBACK_PAGE, type CallbackStatus } from '../../services/callbacks/callbackRepository';
import type { StaffSession } from '../../services/staff/sessionStore';
import type { StaffService } from '../../services/staff/staffService';
import type { GuardedRoute } from './consoleRoutes';

const REFERENCE = /^CBK-\d{8}-[A-Z0-9]{4}$/i;
const MAX_ID_CHARS = 200;
const ip = (req: Request) => req.socket?.remoteAddress ?? 'unknown';
const isSupervisor = (s: StaffSession) => s.role === 'supervisor' || s.role === 'admin';

/** A callback as the console shows it: what staff need to make the call, without the reminder's internals. */
export function callbackView(c: DeskCallback) {
  return {
    reference: c.reference, slotStart: c.slotStart, slotEnd: c.slotEnd, status: c.status, dueNow: c.dueNow,
    topic: c.topic, phone: c.phone, language: c.language, channelId: c.channelId, userId: c.userId, customerId: c.customerId,
    assignee: c.assignee ? { staffId: c.assignee.staffId, displayName: c.assignee.displayName, assignedAt: c.assignee.assignedAt } : null,
    outcome: c.outcome ?? null, createdAt: c.createdAt,
  };
}

/** The query of GET /api/console/callbacks, checked: 400 with a code naming the bad parameter. */
export function parseCallbackQuery(query: Record<string, unknown>, session: StaffSession): CallbackDeskQuery {
  const one = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') throw AppError.badRequest(`invalid_${name}`, `${name} must be given once`);
    return value;
  };
  const integer = (name: string, fallback: number, max: number): number => {
    const raw = one(name);
    if (raw === undefined) return fallback;
    if (!/^\d{1,10}$/.test(raw) || Number(raw) > max) throw AppError.badRequest(`invalid_${name}`, `${name} must be a whole number from 0 to ${max}`);
    return Number(raw);
  };
  const statuses = one('status')?.split(',').map((s) => s.trim()).filter(Boolean);
  for (const status of statuses ?? []) {
    if (!CALLBACK_STATUSES.includes(status as CallbackStatus)) throw AppError.badRequest('invalid_status', `status must be among ${CALLBACK_STATUSES.join(', ')} (comma separated)`);
  }
  const assignee = one('assignee');
  if (assignee && assignee.length > MAX_ID_CHARS) throw AppError.badRequest('invalid_assignee', 'assignee must be me, none or a staff id');
  const due = one('due');
  if (due !== undefined && due !== 'now') throw AppError.badRequest('invalid_due', 'due can only be now');
  const limit = integer('limit', 50, MAX_CALLBACK_PAGE);
  if (limit < 1) throw AppError.badRequest('invalid_limit', `limit must be a whole number from 1 to ${MAX_CALLBACK_PAGE}`);
  return {
    day: one('day'), from: one('from'), to: one('to'),
    statuses: statuses as CallbackStatus[] | undefined,
    assigneeId: assignee === undefined ? undefined : assignee === 'none' ? null : assignee === 'me' ? session.staffId : assignee,
    dueNow: due === 'now',
    offset: integer('offset', 0, 1_000_000_000), limit,
  };
}

export function registerCallbackRoutes(server: Server, deps: {
  guarded: GuardedRoute;
  staff: Pick<StaffService, 'get'>;
  /** Read at request time: the desk is built after the console (503 until then). */
  desk: () => CallbackDesk | undefined;
}): void {
  const { guarded } = deps;
  const desk = (): CallbackDesk => {
    const found = deps.desk();
    if (!found) throw new AppError('callbacks_unavailable', 'the callback desk is not running', 503);
    return found;
  };
  const reference = (req: Request): string => {
    const value = String(req.params.reference ?? '');
    // Anything that cannot be a reference is simply not one of ours.
    if (!REFERENCE.test(value)) throw AppError.notFound('callback_not_found', 'no callback with this reference');
    return value.toUpperCase();
  };
  const body = (req: Request): Record<string, unknown> => {
    const value = req.body ?? {};
    if (typeof value !== 'object' || Array.isArray(value)) throw AppError.badRequest('invalid_body', 'send a JSON object');
    return value as Record<string, unknown>;
  };
  const actor = (req: Request, session: StaffSession) => ({ staffId: session.staffId, displayName: session.displayName, ip: ip(req) });
  /** An agent works callbacks nobody holds and their own; a colleague's only a supervisor may touch. */
  const mayWork = (callback: DeskCallback, session: StaffSession) => {
    if (callback.assignee && callback.assignee.staffId !== session.staffId && !isSupervisor(session)) {
      throw new AppError('held_by_colleague', `${callback.assignee.displayName} holds this callback; ask them or a supervisor`, 403);
    }
  };

  server.get('/api/console/callbacks', guarded('agent', async (req, res, session) => {
    const page = await desk().list(parseCallbackQuery((req.query ?? {}) as Record<string, unknown>, session));
    res.json({ items: page.items.map(callbackView), total: page.total, from: page.from, to: page.to, timeZone: page.timeZone, now: page.now });
  }, { csrf: false }));

  server.get('/api/console/callbacks/:reference', guarded('agent', async (req, res) => {
    const { callback, history } = await desk().get(reference(req));
    res.json({ callback: callbackView(callback), history });
  }, { csrf: false }));

  server.post('/api/console/callbacks/:reference/assign', guarded('agent', async (req, res, session) => {
    const input = body(req);
    const ref = reference(req);
    if (input.staffId !== undefined && (typeof input.staffId !== 'string' || !input.staffId.trim() || input.staffId.length > MAX_ID_CHARS)) {
      throw AppError.badRequest('invalid_staff', 'staffId must name an active staff member');
    }
    const toId = typeof input.staffId === 'string' ? input.staffId.trim() : session.staffId;
    const target = toId === session.staffId ? { staffId: session.staffId, displayName: session.displayName } : await deps.staff.get(toId);
    if (!target || ('active' in target && !target.active)) throw AppError.badRequest('invalid_staff', 'staffId must name an active staff member');
    mayWork((await desk().get(ref)).callback, session);
    const callback = await desk().assign(ref, { staffId: target.staffId, displayName: target.displayName }, actor(req, session));
    res.json({ callback: callbackView(callback) });
  }, { csrf: true }));

  server.post('/api/console/callbacks/:reference/outcome', guarded('agent', async (req, res, session) => {
    const input = body(req);
    const ref = reference(req);
    mayWork((await desk().get(ref)).callback, session);
    const result = await desk().recordOutcome(ref, { outcome: input.outcome, note: input.note }, actor(req, session));
    res.json({ callback: callbackView(result.callback), ...(result.clientNotified === undefined ? {} : { clientNotified: result.clientNotified }) });
  }, { csrf: true }));
}
