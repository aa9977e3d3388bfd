import type { EntityManager } from '@mikro-orm/core';
import { UserSchema, type Role, type User } from '../db/entities/user.entity';
import { JobSchema } from '../db/entities/job.entity';
import { CompanySchema } from '../db/entities/company.entity';
import type { Services } from '../services';
import { createAccount } from './user-accounts';
import { joinOwnJobsTeams } from '../jobs/hiring-team';

/**
 * Demo accounts for development, with fixed passwords printed by `cli seed` and `npm run dev`:
 *
 *   recruiter@example.com / recruiter-demo-password
 *   candidate@example.com / candidate-demo-password
 *
 * Never run this against a production database.
 */
export const DEMO_RECRUITER = { email: 'recruiter@example.com', password: 'recruiter-demo-password', fullName: 'Demo Recruiter' };
export const DEMO_CANDIDATE = { email: 'candidate@example.com', password: 'candidate-demo-password', fullName: 'Demo Candidate' };

/** The original project's companies, created first, so on a fresh database TechCorp is company 1. */
export const SAMPLE_COMPANIES = ['TechCorp', 'WebWorks', 'DataPlus'] as const;

/** The sample jobs of the original project, all open. */
export const SAMPLE_JOBS = [
  { title: 'Backend Developer', company: 'TechCorp', description: 'Build and run the APIs behind our products.', location: 'Remote' },
  { title: 'Frontend Engineer', company: 'WebWorks', description: 'Craft fast, accessible web interfaces.', location: 'Berlin' },
  { title: 'Data Analyst', company: 'DataPlus', description: 'Turn raw data into decisions.', location: 'London' },
] as const;

export interface SeedResult {
  recruiter: { email: string; password: string };
  candidate: { email: string; password: string };
  /** Sample jobs created by this run: 0 when they were already there. */
  jobs: number;
}

/** Idempotent: existing demo accounts are left as they are, and a sample job is created only if missing. */
export async function seedSampleData(services: Pick<Services, 'orm' | 'passwords' | 'logger'>): Promise<SeedResult> {
  const em = services.orm.em.fork();
  const recruiter = await ensureAccount(em, services, DEMO_RECRUITER, 'recruiter');
  await ensureAccount(em, services, DEMO_CANDIDATE, 'candidate');

  const companies = new Map<string, number>();
  for (const name of SAMPLE_COMPANIES) {
    const company =
      (await em.findOne(CompanySchema, { name })) ?? em.create(CompanySchema, { name, website: null, createdAt: new Date().toISOString() });
    await em.flush();
    companies.set(name, company.id);
  }

  let jobs = 0;
  for (const { company, ...sample } of SAMPLE_JOBS) {
    const companyId = companies.get(company)!;
    if (await em.count(JobSchema, { title: sample.title, companyId, createdBy: recruiter.id })) continue;
    const now = new Date().toISOString();
    em.create(JobSchema, { ...sample, companyId, status: 'open', createdBy: recruiter.id, createdAt: now, updatedAt: now });
    await em.flush();
    jobs++;
  }
  // The demo recruiter's jobs, new or from a database seeded before hiring teams, are on their team.
  await joinOwnJobsTeams(em, recruiter.id);
  services.logger.info({ jobs }, 'sample data seeded');
  return {
    recruiter: { email: DEMO_RECRUITER.email, password: DEMO_RECRUITER.password },
    candidate: { email: DEMO_CANDIDATE.email, password: DEMO_CANDIDATE.password },
    jobs,
  };
}

async function ensureAccount(
  em: EntityManager,
  services: Pick<Services, 'passwords'>,
  demo: { email: string; password: string; fullName: string },
  role: Role,
): Promise<User> {
  return (await em.findOne(UserSchema, { email: demo.email })) ?? createAccount(em, services.passwords, { ...demo, role });
}
