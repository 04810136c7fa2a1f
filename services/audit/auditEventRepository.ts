/** What staff did that a bank must be able to show later. */
export type AuditEventType =
  | 'login_success' | 'login_failure' | 'login_locked' | 'logout'
  | 'claim' | 'transfer' | 'end' | 'reply' | 'transcript_view' | 'staff_created' | 'staff_teams_link' | 'staff.active'
  | 'campaign.create' | 'campaign.update' | 'campaign.launch' | 'campaign.pause' | 'campaign.resume' | 'campaign.cancel' | 'campaign.export'
  | 'customer.link'
  | 'ticket.status'
  | 'callback.assign' | 'callback.outcome';

/** One audit record: who (or which e-mail, for failed logins), what, on which case, from where. */
export interface AuditEvent {
  type: AuditEventType;
  at: Date;
  staffId?: string;
  /** The e-mail typed at login (failed logins have no staff id). */
  email?: string;
  caseId?: string;
  ip?: string;
  detail?: Record<string, unknown>;
}

/** Append-only persistence port for audit events (embedded and Mongo). */
export interface AuditEventRepository {
  add(event: AuditEvent): Promise<void>;
  /** Newest first. */
  list(filter?: { type?: AuditEventType; staffId?: string; caseId?: string; limit?: number }): Promise<AuditEvent[]>;
}
