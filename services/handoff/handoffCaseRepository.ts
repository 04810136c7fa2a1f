import type { HandoffCase, HandoffMessage, HandoffStatus, StaffRef } from './handoffDesk';
import type { PriorityInputs } from './handoffPriority';

/** A stored case: the public case plus its version (the number of transitions so far) and the priority inputs. */
export interface HandoffCaseRecord extends HandoffCase {
  version: number;
  priorityInputs: PriorityInputs;
}

/** One transition of one case. `(caseId, version)` is unique in the store: the insert is the lock. */
export interface HandoffTransitionRecord {
  caseId: string;
  /** The case's version after this transition. */
  version: number;
  from: HandoffStatus;
  to: HandoffStatus;
  staff?: StaffRef;
  at: Date;
}

/**
 * Persistence port for handoff cases. Transitions are inserts under a unique key
 * `${caseId}#${version}` (FerretDB's conditional updates are not atomic under concurrency;
 * unique inserts are): whoever inserts version n+1 first owns that transition, and only the
 * owner then writes the case.
 */
export interface HandoffCaseRepository {
  insert(record: HandoffCaseRecord, first: HandoffTransitionRecord): Promise<void>;
  get(caseId: string): Promise<HandoffCaseRecord | undefined>;
  /** The conversation's case that is queued or with staff, if any. */
  findOpen(channelId: string, conversationId: string): Promise<HandoffCaseRecord | undefined>;
  listByStatus(status: HandoffStatus): Promise<HandoffCaseRecord[]>;
  /** Inserts the transition; resolves `undefined` when it won, else with the transition that was there first. */
  recordTransition(transition: HandoffTransitionRecord): Promise<HandoffTransitionRecord | undefined>;
  /** Writes the case after its owner won the transition to `record.version`. */
  save(record: HandoffCaseRecord): Promise<void>;
  addMessage(message: HandoffMessage): Promise<void>;
  listMessages(caseId: string): Promise<HandoffMessage[]>;
}

/** The unique key of a transition. */
export function transitionKey(caseId: string, version: number): string {
  return `${caseId}#${version}`;
}
