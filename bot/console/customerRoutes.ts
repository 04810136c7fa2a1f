/**
 * The console's customer API (docs/CAMPAIGNS.md, "Customers"): the searchable, sortable list,
 * one customer's profile with its churn-risk score, and linking a chat user to a customer.
 * Agent and up; a link is audited ('customer.link').
 */
import type { Request, Server } from 'restify';
import { AppError } from '../../services/appError';
import type { AuditEventRepository } from '../../services/audit/auditEventRepository';
import {
  CUSTOMER_SORTS,
  MAX_LIST_LIMIT,
  type Customer,
  type CustomerListOptions,
  type CustomerRepository,
  type CustomerSort,
} from '../../services/customers/customerRepository';
import type { GuardedRoute } from './consoleRoutes';

const MAX_QUERY_CHARS = 100;
const MAX_ID_CHARS = 200;
const ip = (req: Request) => req.socket?.remoteAddress ?? 'unknown';

/** A row of the list (docs/CAMPAIGNS.md `CustomerSummary`); churnRisk is the score alone. */
export function customerSummary(c: Customer) {
  return {
    id: c.id, externalId: c.externalId, name: c.name, company: c.company, tier: c.tier, relationshipManager: c.relationshipManager,
    language: c.language, lastContactAt: c.lastContactAt, churnRisk: c.churnRisk?.score,
  };
}

/** The query of GET /api/console/customers, checked: 400 with a code naming the bad parameter. */
export function parseListQuery(query: Record<string, unknown>): CustomerListOptions {
  const one = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw AppError.badRequest(`invalid_${name}`, `${name} must be given once`);
    return value;
  };
  const q = one('q')?.trim();
  if (q && q.length > MAX_QUERY_CHARS) throw AppError.badRequest('invalid_q', `q must be at most ${MAX_QUERY_CHARS} characters`);
  const sort = one('sort') || 'churnRisk';
  if (!CUSTOMER_SORTS.includes(sort as CustomerSort)) throw AppError.badRequest('invalid_sort', `sort must be one of ${CUSTOMER_SORTS.join(', ')}`);
  const order = one('order') || (sort === 'churnRisk' || sort === 'lastContactAt' ? 'desc' : 'asc');
  if (order !== 'asc' && order !== 'desc') throw AppError.badRequest('invalid_order', 'order must be asc or desc');
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = one(name);
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw AppError.badRequest(`invalid_${name}`, `${name} must be a whole number from ${min} to ${max}`);
    return Number(raw);
  };
  return { q: q || undefined, sort: sort as CustomerSort, order, offset: integer('offset', 0, 0, 1_000_000_000), limit: integer('limit', 50, 1, MAX_LIST_LIMIT) };
}

export function registerCustomerRoutes(server: Server, deps: {
  guarded: GuardedRoute;
  audit: AuditEventRepository;
  /** Read at request time: the repository is built after the console (503 until then). */
  customers: () => CustomerRepository | undefined;
}): void {
  const { guarded, audit } = deps;
  const repository = (): CustomerRepository => {
    const customers = deps.customers();
    if (!customers) throw new AppError('customers_unavailable', 'the customer store is not running', 503);
    return customers;
  };
  const found = async (id: string): Promise<Customer> => {
    const customer = await repository().get(id);
    if (!customer) throw AppError.notFound('customer_not_found', 'no such customer');
    return customer;
  };
  const detail = (c: Customer) => ({
    ...customerSummary(c), email: c.email, phone: c.phone, tags: c.tags, consent: c.consent, channelUsers: c.channelUsers, timeZone: c.timeZone, optedOutAt: c.optedOutAt,
  });

  server.get('/api/console/customers', guarded('agent', async (req, res) => {
    const page = await repository().list(parseListQuery((req.query ?? {}) as Record<string, unknown>));
    res.json({ items: page.items.map(customerSummary), total: page.total });
  }, { csrf: false }));

  server.get('/api/console/customers/:id', guarded('agent', async (req, res) => {
    const customer = await found(String(req.params.id));
    res.json({ customer: detail(customer), churn: customer.churnRisk ?? null });
  }, { csrf: false }));

  server.post('/api/console/customers/:id/links', guarded('agent', async (req, res, session) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = (name: string) => {
      const value = typeof body[name] === 'string' ? (body[name] as string).trim() : '';
      if (!value || value.length > MAX_ID_CHARS) throw AppError.badRequest('invalid_channel_user', `${name} must be 1-${MAX_ID_CHARS} characters`);
      return value;
    };
    if (typeof body !== 'object' || Array.isArray(body)) throw AppError.badRequest('invalid_body', 'send a JSON object');
    const channelUser = { channelId: text('channelId'), userId: text('userId') };
    const customer = await repository().linkChannelUser(String(req.params.id), channelUser);
    await audit.add({ type: 'customer.link', at: new Date(), staffId: session.staffId, ip: ip(req), detail: { customerId: customer.id, ...channelUser } });
    res.json({ customer: detail(customer) });
  }, { csrf: true }));
}
