/**
 * The console's complaint desk API (docs/CONSOLE.md, "Complaints"): the ticket list with filters
 * and paging (soonest SLA due first), one ticket with its history and the moves allowed from
 * its status, and a status change made by the signed-in staff member. Agent and up; every
 * change is audited by the service ('ticket.status').
 */
import type { Request, Server } from 'restify';
import { AppError } from '../../services/appError';
import { COMPLAINT_CATEGORIES, MAX_TICKET_PAGE, SEVERITIES, TICKET_STATUSES, type Ticket, type TicketListQuery } from '../../services/tickets/ticketRepository';
import { allowedTransitions, type TicketDeskService } from '../../services/tickets/ticketDeskService';
import type { GuardedRoute } from './consoleRoutes';

const MAX_REFERENCE_QUERY = 40;
const MAX_STAFF_ID = 200;
const ip = (req: Request) => req.socket?.remoteAddress ?? 'unknown';

const isOverdue = (t: Ticket, now: Date) => (t.status === 'open' || t.status === 'in_progress') && new Date(t.slaDueAt).getTime() < now.getTime();

/** A row of the list: what staff triage by, without the client's words or contact. */
export function ticketSummary(t: Ticket, now = new Date()) {
  return {
    reference: t.reference, category: t.category, severity: t.severity, status: t.status, language: t.language,
    createdAt: t.createdAt, slaDueAt: t.slaDueAt, overdue: isOverdue(t, now), assignee: t.assignee ?? null, customerId: t.customerId ?? null,
  };
}

/** The whole ticket for the detail view, with the statuses it may move to. */
export function ticketDetail(t: Ticket, now = new Date()) {
  return {
    ...ticketSummary(t, now), channelId: t.channelId, description: t.description, contact: t.contact,
    resolutionNote: t.resolutionNote ?? null, resolvedAt: t.resolvedAt ?? null, closedAt: t.closedAt ?? null, updatedAt: t.updatedAt ?? null,
    history: t.history ?? [], allowed: allowedTransitions(t.status),
  };
}

/** The query of GET /api/console/tickets, checked: 400 with a code naming the bad parameter. */
export function parseTicketQuery(query: Record<string, unknown>, staffId: string): Omit<TicketListQuery, 'now'> {
  const one = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') throw AppError.badRequest(`invalid_${name}`, `${name} must be given once`);
    return value;
  };
  const oneOf = <T extends string>(name: string, values: readonly T[]): T | undefined => {
    const value = one(name);
    if (value !== undefined && !values.includes(value as T)) throw AppError.badRequest(`invalid_${name}`, `${name} must be one of ${values.join(', ')}`);
    return value as T | undefined;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = one(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw AppError.badRequest(`invalid_${name}`, `${name} must be a whole number from ${min} to ${max}`);
    return Number(raw);
  };
  const overdue = oneOf('overdue', ['true', 'false'] as const);
  const assignee = one('assignee');
  if (assignee !== undefined && assignee.length > MAX_STAFF_ID) throw AppError.badRequest('invalid_assignee', `assignee must be "me" or a staff id of at most ${MAX_STAFF_ID} characters`);
  const reference = one('q')?.trim();
  if (reference && (reference.length > MAX_REFERENCE_QUERY || !/^[A-Za-z0-9-]+$/.test(reference))) {
    throw AppError.badRequest('invalid_q', `q is part of a reference: letters, digits and "-", at most ${MAX_REFERENCE_QUERY} characters`);
  }
  return {
    status: oneOf('status', TICKET_STATUSES),
    category: oneOf('category', COMPLAINT_CATEGORIES),
    severity: oneOf('severity', SEVERITIES),
    ...(assignee ? { assigneeId: assignee === 'me' ? staffId : assignee } : {}),
    overdue: overdue === 'true',
    ...(reference ? { reference } : {}),
    offset: integer('offset', 0, 0, 1_000_000_000),
    limit: integer('limit', 25, 1, MAX_TICKET_PAGE),
  };
}

export function registerTicketRoutes(server: Server, deps: {
  guarded: GuardedRoute;
  /** Read at request time: the ticket store is built after the console (503 until then). */
  desk: () => TicketDeskService | undefined;
}): void {
  const { guarded } = deps;
  const desk = (): TicketDeskService => {
    const service = deps.desk();
    if (!service) throw new AppError('tickets_unavailable', 'the complaint desk is not running', 503);
    return service;
  };

  server.get('/api/console/tickets', guarded('agent', async (req, res, session) => {
    const page = await desk().list(parseTicketQuery((req.query ?? {}) as Record<string, unknown>, session.staffId));
    const now = new Date();
    res.json({ items: page.items.map((t) => ticketSummary(t, now)), total: page.total });
  }, { csrf: false }));

  server.get('/api/console/tickets/:reference', guarded('agent', async (req, res) => {
    res.json({ ticket: ticketDetail(await desk().get(String(req.params.reference))) });
  }, { csrf: false }));

  server.post('/api/console/tickets/:reference/status', guarded('agent', async (req, res, session) => {
    const body = req.body as unknown;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw AppError.badRequest('invalid_body', 'send a JSON object with status and note');
    const { status, note } = body as Record<string, unknown>;
    const outcome = await desk().changeStatus(String(req.params.reference), { status, note }, { staffId: session.staffId, displayName: session.displayName }, ip(req));
    res.json({ ticket: ticketDetail(outcome.ticket), ...(outcome.clientNotified !== undefined ? { clientNotified: outcome.clientNotified } : {}) });
  }, { csrf: true }));
}
