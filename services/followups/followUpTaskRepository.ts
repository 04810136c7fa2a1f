import type { FollowUpTask } from '../campaigns/campaign';

/** What opening a task needs (the repository adds the id, status and times). */
export type NewFollowUpTask = Omit<FollowUpTask, 'id' | 'status' | 'callbackReference' | 'createdAt' | 'updatedAt'>;

/**
 * Port for follow-up tasks. At most one task is open per key (one client and one campaign or
 * survey): opening is a unique insert of the key, the one operation FerretDB 1.x keeps atomic
 * under contention, and closing a task frees its key for a later one.
 */
export interface FollowUpTaskRepository {
  /** Opens a task under `key`, or returns the task already open under it (`created: false`). */
  open(key: string, task: NewFollowUpTask, at: Date): Promise<{ task: FollowUpTask; created: boolean }>;
  get(id: string): Promise<FollowUpTask | undefined>;
  /** Stores the reference of the callback booked with the client; undefined when there is no such task. */
  setCallbackReference(id: string, reference: string, at: Date): Promise<FollowUpTask | undefined>;
  /** Marks the task done (its key can then open a new one); undefined when there is no such task. */
  close(id: string, at: Date): Promise<FollowUpTask | undefined>;
  /** Open tasks, oldest first, of one assignee when given. */
  listOpen(assignee?: string): Promise<FollowUpTask[]>;
}
