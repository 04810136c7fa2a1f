import type { EmbeddedDatabase } from '../embedded/embeddedDatabase';
import type { LoanApplication, LoanApplicationRepository } from '../../services/loans/loanApplicationRepository';
import { validateLoanApplication } from '../../services/loans/loanApplicationLookup';

const COLLECTION = 'loanApplications';

/** Loan applications in the embedded database (the default store). */
export class EmbeddedLoanApplicationRepository implements LoanApplicationRepository {
  private indexed?: Promise<void>;

  constructor(private readonly db: EmbeddedDatabase) {
    if (!db) throw new Error('EmbeddedLoanApplicationRepository needs a database');
  }

  async findByNumber(applicationNumber: string): Promise<LoanApplication | undefined> {
    const store = await this.store();
    const doc = await store.findOneAsync({ applicationNumber });
    return doc ? toApplication(doc) : undefined;
  }

  async upsert(application: LoanApplication): Promise<void> {
    validateLoanApplication(application);
    const store = await this.store();
    await store.updateAsync({ applicationNumber: application.applicationNumber }, toDocument(application), { upsert: true });
  }

  private async store() {
    const store = await this.db.collection(COLLECTION);
    this.indexed ??= store.ensureIndexAsync({ fieldName: 'applicationNumber', unique: true });
    await this.indexed;
    return store;
  }
}

function toDocument(application: LoanApplication): Record<string, any> {
  const doc: Record<string, any> = { ...application, viewers: application.viewers.map((v) => ({ channelId: v.channelId, userId: v.userId })) };
  for (const key of Object.keys(doc)) if (doc[key] === undefined) delete doc[key];
  return doc;
}

function toApplication({ _id, ...doc }: Record<string, any>): LoanApplication {
  return doc as LoanApplication;
}
