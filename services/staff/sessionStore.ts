import type { StaffRole } from './staffRepository';

/** A console session, kept server-side; the cookie only carries its signed id. */
export interface StaffSession {
  sessionId: string;
  staffId: string;
  role: StaffRole;
  displayName: string;
  /** The double-submit CSRF token bound to this session. */
  csrfToken: string;
  expiresAt: Date;
}

/** Server-side session storage (Redis when configured, else embedded), with expiry. */
export interface SessionStore {
  save(session: StaffSession): Promise<void>;
  /** The session, or undefined when unknown or expired. */
  get(sessionId: string): Promise<StaffSession | undefined>;
  delete(sessionId: string): Promise<void>;
  /** Deletes every session of this staff member (when their account is deactivated); each store keeps an index per staff id. */
  deleteByStaffId(staffId: string): Promise<void>;
}
