import fs from 'node:fs';
import { validateLoanApplication } from './loanApplicationLookup';
import type { LoanApplication, LoanApplicationRepository } from './loanApplicationRepository';

/**
 * Loads demo loan applications (e.g. data/seed/loan-applications.json) into a repository, so a
 * newcomer can try the status lookup. Upserts, so running it again changes nothing.
 * @returns how many applications were loaded.
 */
export async function loadLoanApplicationSeed(repository: LoanApplicationRepository, file: string): Promise<number> {
  const rows = JSON.parse(fs.readFileSync(file, 'utf8')) as Array<Omit<LoanApplication, 'updatedAt'> & { updatedAt: string }>;
  if (!Array.isArray(rows)) throw new Error(`${file} must hold a list of loan applications`);
  const applications = rows.map((row) => ({ ...row, updatedAt: new Date(row.updatedAt) }));
  applications.forEach(validateLoanApplication);
  for (const application of applications) await repository.upsert(application);
  return applications.length;
}
