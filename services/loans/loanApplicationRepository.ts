import type { Language } from '../i18n/localizer';

/** Where a loan application is in the bank's process. */
export const LOAN_APPLICATION_STATUSES = ['received', 'under_review', 'more_documents_needed', 'approved', 'rejected', 'disbursed'] as const;
export type LoanApplicationStatus = (typeof LOAN_APPLICATION_STATUSES)[number];

/** A client's identity on one channel (the same person has different ids on Web Chat and Teams). */
export interface ChannelUser {
  channelId: string;
  userId: string;
}

/** A loan application as the status lookup sees it (the loan system is the source of truth). */
export interface LoanApplication {
  /** 'LA' + 10 digits, e.g. LA2026000123; unique. */
  applicationNumber: string;
  company: string;
  /** Product code, e.g. working_capital_loan; shown through the locale resources. */
  product: string;
  amount: number;
  /** ISO 4217, e.g. CNY. */
  currency: string;
  status: LoanApplicationStatus;
  updatedAt: Date;
  /** What the client should do or expect next, in both languages. */
  nextStep?: Partial<Record<Language, string>>;
  /** The customer record the application belongs to, when known. */
  customerId?: string;
  /** The channel users allowed to see this application's status. */
  viewers: ChannelUser[];
}

/** Persistence port for loan applications (embedded and Mongo implementations). */
export interface LoanApplicationRepository {
  /** The application with that exact number, or undefined. */
  findByNumber(applicationNumber: string): Promise<LoanApplication | undefined>;
  /** Inserts or replaces the application with the same number (imports from the loan system are repeatable). */
  upsert(application: LoanApplication): Promise<void>;
}
