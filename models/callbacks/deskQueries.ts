import { MAX_CALLBACK_PAGE, type CallbackListFilter } from '../../services/callbacks/callbackRepository';

/**
 * The desk list's filter as a query both stores read (NeDB speaks the same Mongo query
 * language), so the embedded and Mongo lists cannot drift apart.
 */
export function deskListQuery(filter: CallbackListFilter): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  const slot: Record<string, Date> = {};
  if (filter.from) slot.$gte = filter.from;
  if (filter.to) slot.$lt = filter.to;
  if (filter.dueAt) slot.$lte = filter.dueAt;
  if (Object.keys(slot).length) query.slotStart = slot;
  if (filter.dueAt) {
    // Due now means still booked: asking for due-now among other statuses only can match nothing.
    query.status = !filter.statuses || filter.statuses.includes('booked') ? 'booked' : { $in: [] };
  } else if (filter.statuses) {
    query.status = { $in: [...filter.statuses] };
  }
  if (filter.assigneeId === null) query['assignee.staffId'] = { $exists: false };
  else if (filter.assigneeId !== undefined) query['assignee.staffId'] = filter.assigneeId;
  return query;
}

/** Offset and limit, clamped to what the port promises. */
export function deskPage(filter: CallbackListFilter): { offset: number; limit: number } {
  const offset = Math.max(0, Math.floor(filter.offset ?? 0));
  const limit = Math.min(MAX_CALLBACK_PAGE, Math.max(1, Math.floor(filter.limit ?? 50)));
  return { offset, limit };
}
