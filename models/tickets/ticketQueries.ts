/**
 * The query and update documents both ticket stores share: NeDB and MongoDB read the same
 * filter language, so the staff list and a status change mean exactly the same on both.
 */
import { OPEN_STATUSES, type TicketListQuery, type TicketTransition } from '../../services/tickets/ticketRepository';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The filter of a staff list query (paging and sort are the caller's). */
export function ticketListFilter(query: TicketListQuery): Record<string, unknown> {
  const filter: Record<string, unknown> = {};
  if (query.status) filter.status = query.status;
  if (query.category) filter.category = query.category;
  if (query.severity) filter.severity = query.severity;
  if (query.assigneeId) filter['assignee.staffId'] = query.assigneeId;
  if (query.overdue) {
    // "Overdue" is about tickets a client still waits on: a late resolution is not overdue, it is breached.
    filter.slaDueAt = { $lt: query.now };
    filter.status = query.status
      ? (OPEN_STATUSES.includes(query.status) ? query.status : { $in: [] })
      : { $in: [...OPEN_STATUSES] };
  }
  const reference = query.reference?.trim().toUpperCase();
  // References are stored upper case: a case-sensitive pattern on the upper-cased text is enough.
  if (reference) filter.reference = { $regex: new RegExp(escapeRegExp(reference)) };
  return filter;
}

/** The fields a transition sets and removes, besides the pushed history event. */
export function transitionUpdate(change: TicketTransition): { set: Record<string, unknown>; unset: Record<string, true> } {
  const set: Record<string, unknown> = { status: change.to, updatedAt: change.event.at };
  const unset: Record<string, true> = {};
  if (change.assignee) set.assignee = { staffId: change.assignee.staffId, displayName: change.assignee.displayName };
  for (const field of ['resolvedAt', 'closedAt', 'resolutionNote'] as const) {
    const value = change[field];
    if (value === null) unset[field] = true;
    else if (value !== undefined) set[field] = value;
  }
  return { set, unset };
}
