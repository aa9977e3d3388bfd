import type { EntityManager } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { JobSchema, type Job } from '../db/entities/job.entity';
import type { User } from '../db/entities/user.entity';
import { NotFoundError } from '../domain/errors';
import { toDbId } from '../domain/ids';

/** The job a path id names; an unknown or malformed id is a 404, never a 422. */
export async function findJob(em: EntityManager, id: string): Promise<Job> {
  const dbId = toDbId(id);
  const job = dbId ? await em.findOne(JobSchema, { id: dbId }) : null;
  if (!job) throw noSuchJob();
  return job;
}

/** Recruiters and admins see every job; anonymous callers and candidates the job board's open ones only. */
export function seesEveryJob(user: User | undefined): boolean {
  return user !== undefined && user.role !== 'candidate';
}

/** The job as `GET /api/jobs/{id}` shows it to `user`: one that is not on the job board is a 404 to those who see only the board. */
export async function findVisibleJob(em: EntityManager, id: string, user: User | undefined): Promise<Job> {
  const job = await findJob(em, id);
  if (!seesEveryJob(user) && job.status !== 'open') throw noSuchJob();
  return job;
}

/** What applying needs of a job: its status, what the workflow's summary names, and what its implicit pipeline is dated by. */
export type ApplyingJob = Pick<Job, 'id' | 'title' | 'status' | 'companyId' | 'createdAt' | 'createdBy'> & { company: string | null };

/**
 * The job an apply names and its company's name, in one statement read into a plain object: every
 * apply reads them, and the entity's find and the company's were a millisecond of its answer.
 */
export async function findJobToApply(em: SqlEntityManager, id: string): Promise<ApplyingJob> {
  const dbId = toDbId(id);
  const [job] = dbId
    ? await em.execute<(Omit<ApplyingJob, 'createdBy'> & { createdBy: number | string })[]>(
        `select j.id, j.title, j.status, j.company_id as "companyId", j.created_at as "createdAt", j.created_by as "createdBy",
          c.name as company from jobs j left join companies c on c.id = j.company_id where j.id = ?`,
        [dbId],
        'all',
      )
    : [];
  if (!job) throw noSuchJob();
  return { ...job, id: Number(job.id), companyId: Number(job.companyId), createdBy: Number(job.createdBy) };
}

export function noSuchJob(): NotFoundError {
  return new NotFoundError('No such job.');
}
