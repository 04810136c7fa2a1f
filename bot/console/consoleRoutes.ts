/**
 * The staff console's HTTP side: the page at /console and its JSON API under /api/console/*.
 * Sessions live server-side; the browser holds a signed, httpOnly, SameSite=Strict cookie
 * with the session id, plus a readable CSRF cookie that must be echoed in X-CSRF-Token on
 * every state-changing call (double submit, bound to the session).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Request, Response, Server } from 'restify';
import type { Logger } from '../logger';
import { AppError } from '../../services/appError';
import type { AuditEventRepository } from '../../services/audit/auditEventRepository';
import type { HandoffCase, HandoffDesk, HandoffEvent, StaffRef } from '../../services/handoff/handoffDesk';
import type { SessionStore, StaffSession } from '../../services/staff/sessionStore';
import type { StaffRole } from '../../services/staff/staffRepository';
import type { StaffService } from '../../services/staff/staffService';

export const SESSION_COOKIE = 'rapport_console';
export const CSRF_COOKIE = 'rapport_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const CONSOLE_DIR = path.resolve(__dirname, '../../console');
const LOCALES_DIR = path.resolve(__dirname, '../../locales');
const CONSOLE_MODULES = ['console.js', 'common.js', 'charts.js', 'queue.js', 'customers.js', 'tickets.js', 'campaigns.js', 'campaignForm.js', 'campaignResults.js', 'dashboard.js', 'callbacks.js', 'staff.js'];
// The package exports no subpaths: find dist/ through its main entry (dist/chart.cjs).
const CHART_JS = path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js');
const RANK: Record<StaffRole, number> = { agent: 1, supervisor: 2, admin: 3 };
const MAX_REPLY_CHARS = 4000;

/** What the conversation view shows about the client besides the transcript. */
export interface ClientProfile {
  name?: string;
  company?: string;
  tier?: string;
  relationshipManager?: string;
  openTickets: Array<{ reference: string; category: string; severity: string; status: string; slaDueAt: Date }>;
  callbacks: Array<{ reference: string; topic: string; slotStart: Date }>;
  /** CSAT scores (1-5) the client gave in the last 90 days, newest first. */
  pastCsat: Array<{ score: number; answeredAt: Date }>;
}

export interface ConsoleRouteDependencies {
  /** The client's profile for a case; optional (the view then shows the transcript only). */
  profile?: (handoffCase: HandoffCase) => Promise<ClientProfile | undefined>;
  staff: StaffService;
  sessions: SessionStore;
  audit: AuditEventRepository;
  /** The handoff desk; a function because the desk may be built after the routes (503 until then). */
  desk: () => HandoffDesk | undefined;
  sessionSecret: string;
  sessionTtlSeconds: number;
  /** Adds `Secure` to the cookies (production runs behind https). */
  secureCookies: boolean;
  /** The bank's time zone: the console shows every date and time in it, whatever the staff member's browser says. */
  timeZone: string;
  logger: Logger;
}

/** Resolves the cookie-signing secret: required in production; a random per-process one (with a warning) elsewhere. */
export function resolveConsoleSessionSecret(config: { CONSOLE_SESSION_SECRET: string; NODE_ENV: string }, logger: Logger): string {
  if (config.CONSOLE_SESSION_SECRET) return config.CONSOLE_SESSION_SECRET;
  if (config.NODE_ENV === 'production') {
    throw new Error('CONSOLE_SESSION_SECRET is required in production when the console is enabled (32+ random characters; set CONSOLE_ENABLED=false to run without the console)');
  }
  logger.warn('CONSOLE_SESSION_SECRET is not set: using a random secret for this process; console sessions end at restart and are not shared between processes');
  return crypto.randomBytes(32).toString('hex');
}

function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) cookies[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return cookies;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function sendError(res: Response, error: unknown, logger: Logger): void {
  if (res.headersSent) return;
  if (error instanceof AppError) {
    res.status(error.status);
    res.json({ code: error.code, message: error.message, ...(error.details ?? {}) });
    return;
  }
  logger.error({ err: { message: (error as Error)?.message } }, 'console request failed');
  res.status(500);
  res.json({ code: 'InternalError', message: 'internal error' });
}

const toRef = (s: StaffSession): StaffRef => ({ staffId: s.staffId, displayName: s.displayName, role: s.role });
const isSupervisor = (s: StaffSession) => RANK[s.role] >= RANK.supervisor;
const holds = (c: HandoffCase | undefined, s: StaffSession) => c?.claimedBy?.staffId === s.staffId;

/** A console route handler behind the session, role and CSRF checks; errors become JSON answers. */
export type GuardedRoute = (role: StaffRole, handler: (req: Request, res: Response, session: StaffSession) => Promise<void>, options: { csrf: boolean }) => (req: Request, res: Response) => Promise<void>;

/**
 * Registers the console page and API; returns `close`, which ends open event streams (at shutdown),
 * and `guarded`, for modules that add their own console routes (campaigns, analytics).
 */
export function registerConsoleRoutes(server: Server, deps: ConsoleRouteDependencies): { close(): void; guarded: GuardedRoute } {
  const { staff, sessions, audit, logger } = deps;
  /** Open event streams and whose session each serves, so a deactivation can end that member's streams. */
  const streams = new Map<Response, StaffSession>();

  const sign = (value: string) => crypto.createHmac('sha256', deps.sessionSecret).update(value).digest('base64url');
  const cookie = (name: string, value: string, maxAge: number, httpOnly: boolean) =>
    `${name}=${encodeURIComponent(value)}; Path=/; Max-Age=${maxAge}; SameSite=Strict${httpOnly ? '; HttpOnly' : ''}${deps.secureCookies ? '; Secure' : ''}`;
  const ip = (req: Request) => req.socket?.remoteAddress ?? 'unknown';

  async function currentSession(req: Request): Promise<StaffSession | undefined> {
    const raw = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    if (!raw) return undefined;
    const dot = raw.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const id = raw.slice(0, dot);
    if (!safeEqual(raw.slice(dot + 1), sign(id))) return undefined;
    return sessions.get(id);
  }

  /** Wraps a handler: session required (401), role at least `role` (403), CSRF on state changes (403). */
  function guarded(role: StaffRole, handler: (req: Request, res: Response, session: StaffSession) => Promise<void>, options: { csrf: boolean }) {
    return async (req: Request, res: Response) => {
      try {
        res.header('cache-control', 'no-store');
        const session = await currentSession(req);
        if (!session) throw new AppError('unauthenticated', 'log in first', 401);
        if (options.csrf) {
          const header = String(req.headers[CSRF_HEADER] ?? '');
          const cookieToken = parseCookies(req.headers.cookie)[CSRF_COOKIE] ?? '';
          if (!header || !safeEqual(header, cookieToken) || !safeEqual(header, session.csrfToken)) {
            throw new AppError('csrf_failed', 'missing or wrong CSRF token', 403);
          }
        }
        if (RANK[session.role] < RANK[role]) throw new AppError('forbidden', `this needs the ${role} role`, 403);
        await handler(req, res, session);
      } catch (error) {
        sendError(res, error, logger);
      }
    };
  }

  function requireDesk(): HandoffDesk {
    const desk = deps.desk();
    if (!desk) throw new AppError('handoff_unavailable', 'the handoff desk is not running', 503);
    return desk;
  }

  async function caseFor(desk: HandoffDesk, id: string): Promise<HandoffCase> {
    const found = await desk.getCase(id);
    if (!found) throw AppError.notFound('case_not_found', 'no such case');
    return found;
  }

  // ---- the page ----
  const staticFile = (file: string, type: string, cacheControl = 'no-cache') => async (_req: Request, res: Response) => {
    res.writeHead(200, {
      'content-type': type, 'cache-control': cacheControl, 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY',
      // Defence in depth behind textContent: no inline script, nothing from other origins.
      'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'",
      'referrer-policy': 'no-referrer',
    });
    fs.createReadStream(path.isAbsolute(file) ? file : path.join(CONSOLE_DIR, file)).pipe(res);
  };
  server.get('/console', staticFile('index.html', 'text/html; charset=utf-8'));
  // One ES module per page (see console/console.js); listed, never a directory served by pattern.
  for (const module of CONSOLE_MODULES) server.get(`/console/${module}`, staticFile(module, 'text/javascript; charset=utf-8'));
  server.get('/console/console.css', staticFile('console.css', 'text/css; charset=utf-8'));
  // Chart.js from node_modules (no CDN); its version changes only with a deploy, so a day of caching is safe.
  server.get('/console/vendor/chart.umd.js', staticFile(CHART_JS, 'text/javascript; charset=utf-8', 'public, max-age=86400'));
  const strings = Object.fromEntries(['zh-CN', 'en'].map((lang) => [lang, fs.readFileSync(path.join(LOCALES_DIR, lang, 'console.json'), 'utf8')]));
  server.get('/console/strings/:lang', async (req: Request, res: Response) => {
    const body = strings[String(req.params.lang).replace(/\.json$/, '')];
    if (!body) return sendError(res, AppError.notFound('no_language', 'unknown language'), logger);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' });
    res.end(body);
  });

  // ---- session ----
  server.post('/api/console/login', async (req: Request, res: Response) => {
    try {
      res.header('cache-control', 'no-store');
      // JSON only: a cross-site form cannot send it without a CORS preflight (login CSRF).
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) throw new AppError('unsupported_media_type', 'send JSON', 415);
      const body = (req.body ?? {}) as { email?: unknown; password?: unknown };
      if (typeof body.email !== 'string' || typeof body.password !== 'string') throw AppError.badRequest('invalid_login', 'email and password are required');
      const who = await staff.login(body.email, body.password, ip(req));
      const session: StaffSession = {
        sessionId: crypto.randomBytes(24).toString('base64url'), staffId: who.staffId, role: who.role, displayName: who.displayName,
        csrfToken: crypto.randomBytes(24).toString('base64url'), expiresAt: new Date(Date.now() + deps.sessionTtlSeconds * 1000),
      };
      await sessions.save(session);
      // An admin may have deactivated the account between the password check and the save, after deleting its sessions: look again.
      if (!(await staff.get(who.staffId))?.active) {
        await sessions.delete(session.sessionId);
        throw new AppError('invalid_credentials', 'wrong e-mail or password', 401);
      }
      res.header('set-cookie', [
        cookie(SESSION_COOKIE, `${session.sessionId}.${sign(session.sessionId)}`, deps.sessionTtlSeconds, true),
        cookie(CSRF_COOKIE, session.csrfToken, deps.sessionTtlSeconds, false),
      ]);
      res.json({ staff: who, csrfToken: session.csrfToken, timeZone: deps.timeZone });
    } catch (error) {
      sendError(res, error, logger);
    }
  });

  server.post('/api/console/logout', guarded('agent', async (req, res, session) => {
    await sessions.delete(session.sessionId);
    await audit.add({ type: 'logout', at: new Date(), staffId: session.staffId, ip: ip(req) });
    res.header('set-cookie', [cookie(SESSION_COOKIE, '', 0, true), cookie(CSRF_COOKIE, '', 0, false)]);
    res.json({ ok: true });
  }, { csrf: true }));

  server.get('/api/console/me', guarded('agent', async (_req, res, session) => {
    const me = await staff.get(session.staffId);
    if (!me?.active) throw new AppError('unauthenticated', 'log in first', 401);
    res.json({ staff: me, csrfToken: session.csrfToken, timeZone: deps.timeZone });
  }, { csrf: false }));

  // ---- handoff ----
  server.get('/api/console/queue', guarded('agent', async (_req, res) => {
    res.json({ queue: await requireDesk().listQueue() });
  }, { csrf: false }));

  server.get('/api/console/active', guarded('agent', async (_req, res, session) => {
    res.json({ active: await requireDesk().listActive(isSupervisor(session) ? undefined : session.staffId) });
  }, { csrf: false }));

  server.get('/api/console/colleagues', guarded('agent', async (_req, res) => {
    const list = (await staff.list()).filter((s) => s.active).map(({ staffId, displayName, role }) => ({ staffId, displayName, role }));
    res.json({ staff: list });
  }, { csrf: false }));

  server.get('/api/console/cases/:id', guarded('agent', async (req, res, session) => {
    const desk = requireDesk();
    const found = await caseFor(desk, String(req.params.id));
    if (!isSupervisor(session) && found.status !== 'queued' && !holds(found, session)) throw new AppError('forbidden', 'this case is held by someone else', 403);
    const [messages, profile] = await Promise.all([
      desk.messages(found.caseId),
      // A profile lookup that fails must not hide the transcript from the agent.
      deps.profile ? deps.profile(found).catch((error: Error) => { logger.warn({ err: { message: error.message } }, 'client profile unavailable'); return undefined; }) : undefined,
    ]);
    await audit.add({ type: 'transcript_view', at: new Date(), staffId: session.staffId, caseId: found.caseId, ip: ip(req) });
    res.json({ case: found, messages, profile });
  }, { csrf: false }));

  server.post('/api/console/cases/:id/claim', guarded('agent', async (req, res, session) => {
    const claimed = await requireDesk().claim(String(req.params.id), toRef(session));
    await audit.add({ type: 'claim', at: new Date(), staffId: session.staffId, caseId: claimed.caseId, ip: ip(req) });
    res.json({ case: claimed });
  }, { csrf: true }));

  server.post('/api/console/cases/:id/transfer', guarded('agent', async (req, res, session) => {
    const desk = requireDesk();
    const found = await caseFor(desk, String(req.params.id));
    // An agent hands over only what they hold; a supervisor reassigns anyone's case.
    if (!holds(found, session) && !isSupervisor(session)) throw new AppError('forbidden', 'only the agent holding the case or a supervisor can transfer it', 403);
    if (!found.claimedBy) throw AppError.conflict('not_with_staff', 'the case is not held by anyone');
    const toId = String((req.body as { toStaffId?: unknown } | undefined)?.toStaffId ?? '');
    const target = toId ? await staff.get(toId) : undefined;
    if (!target?.active) throw AppError.badRequest('invalid_target', 'toStaffId must name an active staff member');
    const moved = await desk.transfer(found.caseId, found.claimedBy, { staffId: target.staffId, displayName: target.displayName, role: target.role });
    await audit.add({ type: 'transfer', at: new Date(), staffId: session.staffId, caseId: found.caseId, ip: ip(req), detail: { from: found.claimedBy.staffId, to: target.staffId } });
    res.json({ case: moved });
  }, { csrf: true }));

  server.post('/api/console/cases/:id/end', guarded('agent', async (req, res, session) => {
    const desk = requireDesk();
    const found = await caseFor(desk, String(req.params.id));
    if (!holds(found, session) && !isSupervisor(session)) throw new AppError('forbidden', 'only the agent holding the case or a supervisor can end it', 403);
    const outcome = (req.body as { outcome?: unknown } | undefined)?.outcome === 'closed' ? 'closed' : 'bot';
    // A supervisor ends a colleague's case on the holder's behalf (the desk checks the holder); the audit names the supervisor.
    const ended = await desk.end(found.caseId, holds(found, session) || !found.claimedBy ? toRef(session) : found.claimedBy, outcome);
    await audit.add({ type: 'end', at: new Date(), staffId: session.staffId, caseId: found.caseId, ip: ip(req), detail: { outcome } });
    res.json({ case: ended });
  }, { csrf: true }));

  server.post('/api/console/cases/:id/reply', guarded('agent', async (req, res, session) => {
    const desk = requireDesk();
    const found = await caseFor(desk, String(req.params.id));
    // Replies go out under the sender's name, so only the holder speaks to the client (a supervisor takes the case over by transfer first).
    if (!holds(found, session)) throw new AppError('forbidden', 'only the staff member holding the case can reply', 403);
    const text = (req.body as { text?: unknown } | undefined)?.text;
    if (typeof text !== 'string' || !text.trim() || text.length > MAX_REPLY_CHARS) throw AppError.badRequest('invalid_text', `text must be 1-${MAX_REPLY_CHARS} characters`);
    res.json({ message: await desk.reply(found.caseId, toRef(session), text) });
  }, { csrf: true }));

  // ---- live events (server-sent events) ----
  server.get('/api/console/events', guarded('agent', async (req, res, session) => {
    const desk = requireDesk();
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': connected\n\n');
    streams.set(res, session);
    const visible = async (event: HandoffEvent): Promise<boolean> => {
      if (isSupervisor(session)) return true;
      switch (event.type) {
        case 'queued': case 'left_queue': case 'claimed': return true; // the queue is everyone's
        case 'transferred': return holds(event.case, session) || event.from.staffId === session.staffId;
        case 'ended': return holds(event.case, session);
        case 'message': return holds(await desk.getCase(event.message.caseId), session);
        default: return false;
      }
    };
    const unsubscribe = desk.subscribe((event) => {
      visible(event)
        .then((show) => { if (show && !res.writableEnded) res.write(`data: ${JSON.stringify(event)}\n\n`); })
        .catch((error: Error) => logger.warn({ err: { message: error.message } }, 'console event not delivered'));
    });
    // Each keep-alive also checks the session is still there, so a logout or a deactivation done in another bot process ends this stream too.
    const keepAlive = setInterval(() => {
      sessions.get(session.sessionId)
        .then((still) => { if (!still) res.end(); else if (!res.writableEnded) res.write(': keep-alive\n\n'); })
        .catch((error: Error) => logger.warn({ err: { message: error.message } }, 'console session check failed'));
    }, 15000);
    keepAlive.unref();
    const cleanup = () => { clearInterval(keepAlive); unsubscribe(); streams.delete(res); };
    req.once('close', cleanup);
    res.once('close', cleanup);
  }, { csrf: false }));

  // ---- admin ----
  server.get('/api/console/staff', guarded('admin', async (_req, res) => {
    res.json({ staff: await staff.list() });
  }, { csrf: false }));

  server.post('/api/console/staff', guarded('admin', async (_req, res, session) => {
    const body = (_req.body ?? {}) as Record<string, unknown>;
    const teamsUserId = typeof body.teamsUserId === 'string' ? body.teamsUserId : undefined;
    const created = await staff.create({ email: String(body.email ?? ''), displayName: String(body.displayName ?? ''), role: String(body.role ?? ''), password: String(body.password ?? ''), teamsUserId }, session.staffId);
    res.status(201);
    res.json({ staff: created });
  }, { csrf: true }));

  // Links an account to a Teams user for the staff Teams cards ({"teamsUserId": ""} unlinks).
  server.put('/api/console/staff/:id/teams', guarded('admin', async (req, res, session) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body.teamsUserId !== 'string') throw AppError.badRequest('invalid_teams_user', 'teamsUserId (a string) is required');
    res.json({ staff: await staff.linkTeamsUser(String(req.params.id), body.teamsUserId, session.staffId) });
  }, { csrf: true }));

  /*
   * Deactivating (or reactivating) an account. Revocation deletes the member's sessions from the
   * session store (which keeps an index per staff id) rather than making `guarded` re-read the account
   * on every request: their next call then finds no session (401) in every bot process with no extra
   * read per request and no cache window, and a later reactivation cannot bring an old cookie back
   * to life, since the sessions are gone and the member must sign in again. Their open event streams
   * in this process end at once; those in other processes end at the next keep-alive session check.
   */
  server.put('/api/console/staff/:id/active', guarded('admin', async (req, res, session) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const staffId = String(req.params.id);
    const changed = await staff.setActive(staffId, body.active, session.staffId);
    if (!changed.active) {
      await sessions.deleteByStaffId(staffId);
      for (const [stream, owner] of streams) if (owner.staffId === staffId) stream.end();
    }
    res.json({ staff: changed });
  }, { csrf: true }));

  return {
    guarded,
    close() {
      for (const stream of streams.keys()) stream.end();
      streams.clear();
    },
  };
}
