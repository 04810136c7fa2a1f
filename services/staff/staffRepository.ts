/** Roles of console users: an agent takes cases, a supervisor sees all and reassigns, an admin also manages staff. */
export type StaffRole = 'agent' | 'supervisor' | 'admin';

export const STAFF_ROLES: readonly StaffRole[] = ['agent', 'supervisor', 'admin'];

/** A stored staff account. `passwordHash` never leaves the staff module. */
export interface StaffRecord {
  staffId: string;
  /** Lower-cased; unique. */
  email: string;
  displayName: string;
  role: StaffRole;
  passwordHash: string;
  active: boolean;
  createdAt: Date;
  /**
   * The staff member's Teams user (their Entra ID object id, `from.aadObjectId` in a Teams
   * activity, or else the Teams `from.id`), so a click on a staff Teams card acts as them.
   */
  teamsUserId?: string;
}

/**
 * The form Teams user ids are stored and looked up in: trimmed, and an Entra object id (a GUID,
 * which Teams may send in either case) lower-cased; a Teams `29:…` id is kept as it is.
 */
export function normalizeTeamsUserId(value: string): string {
  const trimmed = String(value ?? '').trim();
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(trimmed) ? trimmed.toLowerCase() : trimmed;
}

/**
 * Persistence port for staff accounts (embedded and Mongo implementations, one contract
 * suite). `add` fails with AppError 409 `email_taken` when the e-mail exists: the unique
 * index decides, so two concurrent adds of one e-mail leave exactly one account.
 */
export interface StaffRepository {
  add(record: StaffRecord): Promise<void>;
  findByEmail(email: string): Promise<StaffRecord | undefined>;
  findById(staffId: string): Promise<StaffRecord | undefined>;
  /** The account linked to this Teams user id (compared as {@link normalizeTeamsUserId} gives it). */
  findByTeamsUserId(teamsUserId: string): Promise<StaffRecord | undefined>;
  /** Links (or, with undefined, unlinks) a Teams user; false when the staff id is unknown. */
  setTeamsUserId(staffId: string, teamsUserId: string | undefined): Promise<boolean>;
  /** Sets whether the account may sign in; false when the staff id is unknown. */
  setActive(staffId: string, active: boolean): Promise<boolean>;
  list(): Promise<StaffRecord[]>;
  countByRole(role: StaffRole): Promise<number>;
}

/**
 * Durable record of failed logins, so throttling survives a restart and holds across bot
 * processes. Keys are `email:<address>` or `ip:<address>`; each failure is its own insert
 * (inserts are atomic everywhere, including FerretDB, where guarded counters would race).
 */
export interface LoginAttemptRepository {
  recordFailure(key: string, at: Date): Promise<void>;
  countFailuresSince(key: string, since: Date): Promise<number>;
  /** Forgets a key's failures (after a successful login). */
  clear(key: string): Promise<void>;
}
