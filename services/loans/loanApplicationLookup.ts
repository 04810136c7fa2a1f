import { AppError } from '../appError';
import { LOAN_APPLICATION_STATUSES, type ChannelUser, type LoanApplication, type LoanApplicationRepository } from './loanApplicationRepository';

/** The format of an application number: 'LA' followed by 10 digits. */
export const APPLICATION_NUMBER_PATTERN = /^LA\d{10}$/;

/**
 * Finds an application number in what a client typed ("我的申请 la 2026000123 进度", "LA-2026000123"),
 * normalised to upper case without separators; undefined if there is none.
 */
export function extractApplicationNumber(text: string | undefined): string | undefined {
  const match = /(?<![A-Za-z0-9])LA[\s-]?(\d{10})(?!\d)/i.exec((text ?? '').normalize('NFKC'));
  return match ? `LA${match[1]}` : undefined;
}

/** Checks an application before it is stored; a bad import row is a client error, not a crash. */
export function validateLoanApplication(application: LoanApplication): void {
  const fail = (why: string) => { throw AppError.badRequest('invalid_loan_application', `Loan application ${application?.applicationNumber}: ${why}`); };
  if (!APPLICATION_NUMBER_PATTERN.test(application?.applicationNumber ?? '')) fail('the number must be LA followed by 10 digits');
  if (!application.company?.trim()) fail('company is required');
  if (!application.product?.trim()) fail('product is required');
  if (!(Number.isFinite(application.amount) && application.amount > 0)) fail('amount must be a positive number');
  if (!/^[A-Z]{3}$/.test(application.currency ?? '')) fail('currency must be an ISO 4217 code');
  if (!LOAN_APPLICATION_STATUSES.includes(application.status)) fail(`status must be one of ${LOAN_APPLICATION_STATUSES.join(', ')}`);
  if (!(application.updatedAt instanceof Date) || Number.isNaN(application.updatedAt.getTime())) fail('updatedAt must be a date');
  if (!Array.isArray(application.viewers)) fail('viewers must be a list');
}

/**
 * Answers "where is my application?" for one client. An application is shown only to the
 * channel users linked to it; for anyone else it does not exist, so a guessed number reveals
 * nothing — not even that the number is real.
 */
export class LoanApplicationLookup {
  constructor(private readonly repository: LoanApplicationRepository) {
    if (!repository) throw new Error('LoanApplicationLookup needs a repository');
  }

  async findForViewer(applicationNumber: string, viewer: ChannelUser): Promise<LoanApplication | undefined> {
    if (!APPLICATION_NUMBER_PATTERN.test(applicationNumber)) return undefined;
    const application = await this.repository.findByNumber(applicationNumber);
    if (!application) return undefined;
    const allowed = application.viewers.some((v) => v.channelId === viewer.channelId && v.userId === viewer.userId);
    return allowed ? application : undefined;
  }
}
