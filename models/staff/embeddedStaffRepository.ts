import type { EmbeddedDatabase } from '../embedded/embeddedDatabase';
import { AppError } from '../../services/appError';
import { normalizeTeamsUserId, type StaffRecord, type StaffRepository, type StaffRole } from '../../services/staff/staffRepository';

/** Staff accounts in the embedded database; a unique index on e-mail decides duplicates. */
export class EmbeddedStaffRepository implements StaffRepository {
  private ready?: Promise<void>;

  constructor(private readonly db: EmbeddedDatabase) {
    if (!db) throw new Error('EmbeddedStaffRepository needs a database');
  }

  private async store() {
    const store = await this.db.collection('staff');
    this.ready ??= store.ensureIndexAsync({ fieldName: 'email', unique: true });
    await this.ready;
    return store;
  }

  async add(record: StaffRecord): Promise<void> {
    const store = await this.store();
    try {
      const { teamsUserId, ...rest } = record;
      const id = teamsUserId === undefined ? '' : normalizeTeamsUserId(teamsUserId);
      await store.insertAsync({ ...rest, email: record.email.toLowerCase(), ...(id ? { teamsUserId: id } : {}) });
    } catch (error) {
      if ((error as { errorType?: string }).errorType === 'uniqueViolated') throw AppError.conflict('email_taken', 'a staff account with this e-mail exists');
      throw error;
    }
  }

  async findByEmail(email: string): Promise<StaffRecord | undefined> {
    return strip(await (await this.store()).findOneAsync({ email: email.toLowerCase() }));
  }

  async findById(staffId: string): Promise<StaffRecord | undefined> {
    return strip(await (await this.store()).findOneAsync({ staffId }));
  }

  async findByTeamsUserId(teamsUserId: string): Promise<StaffRecord | undefined> {
    const id = normalizeTeamsUserId(teamsUserId);
    if (!id) return undefined;
    return strip(await (await this.store()).findOneAsync({ teamsUserId: id }));
  }

  async setTeamsUserId(staffId: string, teamsUserId: string | undefined): Promise<boolean> {
    const id = teamsUserId === undefined ? '' : normalizeTeamsUserId(teamsUserId);
    const update = id ? { $set: { teamsUserId: id } } : { $unset: { teamsUserId: true } };
    return (await (await this.store()).updateAsync({ staffId }, update)).numAffected > 0;
  }

  async setActive(staffId: string, active: boolean): Promise<boolean> {
    return (await (await this.store()).updateAsync({ staffId }, { $set: { active } })).numAffected > 0;
  }

  async list(): Promise<StaffRecord[]> {
    const docs = await (await this.store()).findAsync({}).sort({ createdAt: 1 });
    return docs.map((d) => strip(d)!);
  }

  async countByRole(role: StaffRole): Promise<number> {
    return (await this.store()).countAsync({ role });
  }
}

function strip(doc: Record<string, any> | null): StaffRecord | undefined {
  if (!doc) return undefined;
  const { _id, ...rest } = doc;
  return rest as StaffRecord;
}
