import type { EntityManager } from '@mikro-orm/core';
import { JobSchema, type Job } from '../db/entities/job.entity';
import { NotFoundError } from '../domain/errors';
import { toDbId } from '../domain/ids';

/** The job a path id names; an unknown or malformed id is a 404, never a 422. */
export async function findJob(em: EntityManager, id: string): Promise<Job> {
  const dbId = toDbId(id);
  const job = dbId ? await em.findOne(JobSchema, { id: dbId }) : null;
  if (!job) throw noSuchJob();
  return job;
}

export function noSuchJob(): NotFoundError {
  return new NotFoundError('No such job.');
}
