import crypto from 'node:crypto';
import bcrypt from 'bcryptjs';
import { AppError } from '../appError';
import type { AuditEventRepository } from '../audit/auditEventRepository';
import { STAFF_ROLES, normalizeTeamsUserId, type LoginAttemptRepository, type StaffRecord, type StaffRepository, type StaffRole } from './staffRepository';

/** A staff account as the console API shows it (never the hash). */
export interface StaffProfile {
  staffId: string;
  email: string;
  displayName: string;
  role: StaffRole;
  active: boolean;
  /** The linked Teams user (see {@link StaffRecord.teamsUserId}), when there is one. */
  teamsUserId?: string;
}

export interface StaffServiceOptions {
  staff: StaffRepository;
  attempts: LoginAttemptRepository;
  audit: AuditEventRepository;
  /** Failures (per account and per IP) within the window that lock login. */
  maxFailures: number;
  windowMinutes: number;
  /** bcrypt cost; 11 takes ~150 ms in pure JS, slow enough to hurt guessing, fast enough for a login. */
  bcryptCost?: number;
  now?: () => Date;
}

/** The shortest password accepted; no default password exists anywhere, so the first admin's must pass this too. */
export const MIN_PASSWORD_LENGTH = 12;
const COMMON_PASSWORDS = new Set(['password1234', '123456789012', 'qwertyuiop12', 'administrator', 'changeme1234', 'password123!', 'admin1234567']);

/** Why a password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string, email = ''): string | undefined {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH) return `the password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > 72) return 'the password must have at most 72 characters (bcrypt ignores the rest)';
  if (new Set(password).size < 5) return 'the password repeats too few different characters';
  if (COMMON_PASSWORDS.has(password.toLowerCase())) return 'the password is too common';
  if (email && password.toLowerCase().includes(email.toLowerCase().split('@')[0])) return 'the password must not contain the e-mail name';
  return undefined;
}

function profile(record: StaffRecord): StaffProfile {
  return {
    staffId: record.staffId, email: record.email, displayName: record.displayName, role: record.role, active: record.active,
    ...(record.teamsUserId ? { teamsUserId: record.teamsUserId } : {}),
  };
}

/**
 * Staff accounts and login: creates accounts with bcrypt hashes, checks passwords with
 * throttling (N failures per account and per IP in a window lock login for that window),
 * and writes the login audit events.
 */
export class StaffService {
  private readonly cost: number;
  private readonly now: () => Date;
  /** Compared against when the e-mail is unknown, so a wrong e-mail costs the same time as a wrong password. */
  private dummyHash?: string;

  constructor(private readonly options: StaffServiceOptions) {
    if (!options?.staff || !options.attempts || !options.audit) throw new Error('StaffService needs staff, attempts and audit repositories');
    this.cost = options.bcryptCost ?? 11;
    this.now = options.now ?? (() => new Date());
  }

  /** Creates an account; 400 for a bad e-mail, role or weak password, 409 when the e-mail exists. */
  async create(input: { email: string; displayName: string; role: string; password: string; teamsUserId?: string }, createdBy?: string): Promise<StaffProfile> {
    const email = String(input.email ?? '').trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw AppError.badRequest('invalid_email', 'a valid e-mail is required');
    if (!STAFF_ROLES.includes(input.role as StaffRole)) throw AppError.badRequest('invalid_role', `role must be one of ${STAFF_ROLES.join(', ')}`);
    const displayName = String(input.displayName ?? '').trim();
    if (!displayName || displayName.length > 80) throw AppError.badRequest('invalid_name', 'a display name (1-80 characters) is required');
    const problem = passwordProblem(input.password, email);
    if (problem) throw AppError.badRequest('weak_password', problem);
    const teamsUserId = await this.freeTeamsUserId(input.teamsUserId);
    const record: StaffRecord = {
      staffId: crypto.randomUUID(), email, displayName, role: input.role as StaffRole,
      passwordHash: await bcrypt.hash(input.password, this.cost), active: true, createdAt: this.now(),
      ...(teamsUserId ? { teamsUserId } : {}),
    };
    await this.options.staff.add(record);
    await this.options.audit.add({ type: 'staff_created', at: this.now(), staffId: createdBy, detail: { created: record.staffId, role: record.role } });
    return profile(record);
  }

  /**
   * Creates the first admin from configuration when no admin exists yet. Returns what
   * happened, so the caller can log it; a weak password stops the start (AppError 400).
   */
  async ensureFirstAdmin(email: string, password: string): Promise<'created' | 'exists' | 'not_configured'> {
    if (!email || !password) return 'not_configured';
    if (await this.options.staff.countByRole('admin') > 0) return 'exists';
    try {
      await this.create({ email, password, role: 'admin', displayName: 'Administrator' });
    } catch (error) {
      // Another process created it first: that is the outcome we wanted.
      if ((error as AppError).status === 409) return 'exists';
      throw error;
    }
    return 'created';
  }

  /** Checks e-mail and password; 429 when locked, 401 when wrong. Writes the audit event either way. */
  async login(emailInput: string, password: string, ip: string): Promise<StaffProfile> {
    const email = String(emailInput ?? '').trim().toLowerCase();
    const at = this.now();
    const since = new Date(at.getTime() - this.options.windowMinutes * 60_000);
    const keys = [`email:${email}`, `ip:${ip}`];
    const counts = await Promise.all(keys.map((k) => this.options.attempts.countFailuresSince(k, since)));
    if (counts.some((c) => c >= this.options.maxFailures)) {
      await this.options.audit.add({ type: 'login_locked', at, email, ip });
      throw new AppError('login_locked', `too many failed logins; try again in ${this.options.windowMinutes} minutes`, 429);
    }
    const record = email ? await this.options.staff.findByEmail(email) : undefined;
    this.dummyHash ??= await bcrypt.hash(crypto.randomBytes(16).toString('hex'), this.cost);
    const ok = await bcrypt.compare(String(password ?? ''), record?.passwordHash ?? this.dummyHash);
    if (!record || !ok || !record.active) {
      await Promise.all(keys.map((k) => this.options.attempts.recordFailure(k, at)));
      await this.options.audit.add({ type: 'login_failure', at, email, ip, staffId: record?.staffId });
      throw new AppError('invalid_credentials', 'wrong e-mail or password', 401);
    }
    await this.options.attempts.clear(`email:${email}`);
    await this.options.audit.add({ type: 'login_success', at, staffId: record.staffId, email, ip });
    return profile(record);
  }

  /**
   * Links a staff account to a Teams user (or unlinks it with an empty id), so their clicks on
   * the staff Teams cards act as them. 404 for an unknown account, 409 when another account has that Teams user.
   */
  async linkTeamsUser(staffId: string, teamsUserId: string, changedBy?: string): Promise<StaffProfile> {
    const id = await this.freeTeamsUserId(teamsUserId, staffId);
    if (!(await this.options.staff.setTeamsUserId(staffId, id))) throw AppError.notFound('staff_not_found', `No staff account ${staffId}`);
    await this.options.audit.add({ type: 'staff_teams_link', at: this.now(), staffId: changedBy, detail: { staff: staffId, linked: Boolean(id) } });
    return (await this.get(staffId))!;
  }

  /**
   * Activates or deactivates an account (someone who left the bank); an inactive account cannot
   * sign in. 400 when `active` is not a boolean, 409 `cannot_deactivate_self` when an admin
   * deactivates their own account (so at least one admin always stays), 404 for an unknown account.
   * Ending the member's open sessions is the caller's part (the console routes hold the session store).
   */
  async setActive(staffId: string, active: unknown, changedBy: string): Promise<StaffProfile> {
    if (typeof active !== 'boolean') throw AppError.badRequest('invalid_active', 'active (true or false) is required');
    if (!active && staffId === changedBy) throw AppError.conflict('cannot_deactivate_self', 'an administrator cannot deactivate their own account');
    if (!(await this.options.staff.setActive(staffId, active))) throw AppError.notFound('staff_not_found', `No staff account ${staffId}`);
    await this.options.audit.add({ type: 'staff.active', at: this.now(), staffId: changedBy, detail: { staff: staffId, active } });
    return (await this.get(staffId))!;
  }

  /** The active account linked to this Teams user, if any. */
  async findActiveByTeamsUser(teamsUserId: string | undefined): Promise<StaffProfile | undefined> {
    if (!teamsUserId) return undefined;
    const record = await this.options.staff.findByTeamsUserId(teamsUserId);
    return record?.active ? profile(record) : undefined;
  }

  /**
   * The normalized Teams user id, or undefined when none was given; 400 when it is too long, 409
   * when another account has it. Checked before writing (no unique index: FerretDB has no sparse
   * ones), which is enough for an admin linking accounts one at a time.
   */
  private async freeTeamsUserId(value: string | undefined, forStaffId?: string): Promise<string | undefined> {
    const id = normalizeTeamsUserId(value ?? '');
    if (!id) return undefined;
    if (id.length > 200) throw AppError.badRequest('invalid_teams_user', 'a Teams user id has at most 200 characters');
    const holder = await this.options.staff.findByTeamsUserId(id);
    if (holder && holder.staffId !== forStaffId) throw AppError.conflict('teams_user_taken', 'another staff account is linked to this Teams user');
    return id;
  }

  async get(staffId: string): Promise<StaffProfile | undefined> {
    const record = await this.options.staff.findById(staffId);
    return record ? profile(record) : undefined;
  }

  async list(): Promise<StaffProfile[]> {
    return (await this.options.staff.list()).map(profile);
  }
}
