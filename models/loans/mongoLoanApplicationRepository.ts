import { Schema, type Connection, type Model } from 'mongoose';
import { LOAN_APPLICATION_STATUSES, type LoanApplication, type LoanApplicationRepository } from '../../services/loans/loanApplicationRepository';
import { validateLoanApplication } from '../../services/loans/loanApplicationLookup';

const channelUserSchema = new Schema({
  channelId: { type: String, required: true },
  userId: { type: String, required: true },
}, { _id: false });

const loanApplicationSchema = new Schema<LoanApplication>({
  applicationNumber: { type: String, required: true, match: /^LA\d{10}$/ },
  company: { type: String, required: true, trim: true },
  product: { type: String, required: true },
  amount: { type: Number, required: true, min: 0 },
  currency: { type: String, required: true, match: /^[A-Z]{3}$/ },
  status: { type: String, required: true, enum: LOAN_APPLICATION_STATUSES },
  updatedAt: { type: Date, required: true },
  nextStep: { 'zh-CN': { type: String }, en: { type: String } },
  customerId: { type: String },
  viewers: { type: [channelUserSchema], default: [] },
}, { versionKey: false });
loanApplicationSchema.index({ applicationNumber: 1 }, { unique: true });
loanApplicationSchema.index({ customerId: 1 });

/** Loan applications in MongoDB; the number is unique, and an upsert replaces the whole record. */
export class MongoLoanApplicationRepository implements LoanApplicationRepository {
  private readonly model: Model<LoanApplication>;

  constructor(connection: Connection) {
    if (!connection) throw new Error('MongoLoanApplicationRepository needs a connection');
    this.model = connection.models.LoanApplication ?? connection.model<LoanApplication>('LoanApplication', loanApplicationSchema);
  }

  async findByNumber(applicationNumber: string): Promise<LoanApplication | undefined> {
    const doc = await this.model.findOne({ applicationNumber }, { _id: 0 }).lean();
    if (!doc) return undefined;
    const application: LoanApplication = { ...doc, viewers: doc.viewers.map((v) => ({ channelId: v.channelId, userId: v.userId })) };
    if (!doc.nextStep || Object.keys(doc.nextStep).length === 0) delete application.nextStep;
    if (doc.customerId == null) delete application.customerId;
    return application;
  }

  async upsert(application: LoanApplication): Promise<void> {
    validateLoanApplication(application);
    const replace = () => this.model.findOneAndReplace({ applicationNumber: application.applicationNumber }, application, { upsert: true, runValidators: true });
    try {
      await replace();
    } catch (error) {
      // Two imports upserting the same new number race to insert; the unique index lets one win,
      // and the loser's retry finds the record and replaces it.
      if ((error as { code?: number }).code !== 11000) throw error;
      await replace();
    }
  }
}
