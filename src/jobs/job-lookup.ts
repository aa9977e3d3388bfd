import type { EntityManager } from '@mikro-orm/core';
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

export function noSuchJob(): NotFoundError {
  return new NotFoundError('No such job.');
}
