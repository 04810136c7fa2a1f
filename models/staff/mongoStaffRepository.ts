import { Schema, type Connection, type Model } from 'mongoose';
import { AppError } from '../../services/appError';
import { normalizeTeamsUserId, type StaffRecord, type StaffRepository, type StaffRole } from '../../services/staff/staffRepository';

const staffSchema = new Schema<StaffRecord>({
  staffId: { type: String, required: true, unique: true },
  email: { type: String, required: true, unique: true },
  displayName: { type: String, required: true },
  role: { type: String, required: true, enum: ['agent', 'supervisor', 'admin'] },
  passwordHash: { type: String, required: true },
  active: { type: Boolean, required: true },
  createdAt: { type: Date, required: true },
  teamsUserId: { type: String, index: true },
}, { versionKey: false });

/** Staff accounts in MongoDB; the unique index on e-mail decides duplicates (atomic on FerretDB too). */
export class MongoStaffRepository implements StaffRepository {
  private readonly model: Model<StaffRecord>;

  constructor(connection: Connection) {
    if (!connection) throw new Error('MongoStaffRepository needs a connection');
    this.model = connection.models.Staff ?? connection.model<StaffRecord>('Staff', staffSchema);
  }

  async add(record: StaffRecord): Promise<void> {
    await this.model.init();
    try {
      await this.model.create(storedForm(record));
    } catch (error) {
      if ((error as { code?: number }).code === 11000) throw AppError.conflict('email_taken', 'a staff account with this e-mail exists');
      throw error;
    }
  }

  async findByEmail(email: string): Promise<StaffRecord | undefined> {
    return (await this.model.findOne({ email: email.toLowerCase() }, { _id: 0 }).lean()) ?? undefined;
  }

  async findById(staffId: string): Promise<StaffRecord | undefined> {
    return (await this.model.findOne({ staffId }, { _id: 0 }).lean()) ?? undefined;
  }

  async findByTeamsUserId(teamsUserId: string): Promise<StaffRecord | undefined> {
    const id = normalizeTeamsUserId(teamsUserId);
    if (!id) return undefined;
    return (await this.model.findOne({ teamsUserId: id }, { _id: 0 }).lean()) ?? undefined;
  }

  async setTeamsUserId(staffId: string, teamsUserId: string | undefined): Promise<boolean> {
    const id = teamsUserId === undefined ? '' : normalizeTeamsUserId(teamsUserId);
    const update = id ? { $set: { teamsUserId: id } } : { $unset: { teamsUserId: 1 } };
    return (await this.model.updateOne({ staffId }, update)).matchedCount > 0;
  }

  async setActive(staffId: string, active: boolean): Promise<boolean> {
    return (await this.model.updateOne({ staffId }, { $set: { active } })).matchedCount > 0;
  }

  async list(): Promise<StaffRecord[]> {
    return this.model.find({}, { _id: 0 }).sort({ createdAt: 1 }).lean();
  }

  async countByRole(role: StaffRole): Promise<number> {
    return this.model.countDocuments({ role });
  }
}

function storedForm(record: StaffRecord): StaffRecord {
  const { teamsUserId, ...rest } = record;
  const id = teamsUserId === undefined ? '' : normalizeTeamsUserId(teamsUserId);
  return { ...rest, email: record.email.toLowerCase(), ...(id ? { teamsUserId: id } : {}) };
}
