import type { SqlEntityManager } from '@mikro-orm/sql';
import type { JobStatus } from '../db/entities/job.entity';
import { dialectOf } from '../db/dialect';

/** Table shapes for Kysely, whose queries bind their values as parameters instead of inlining them. */
export interface Tables {
  jobs: {
    id: number;
    title: string;
    company_id: number;
    description: string | null;
    location: string | null;
    status: JobStatus;
    created_by: number;
    created_at: string;
    updated_at: string;
  };
  companies: { id: number; name: string; website: string | null; created_at: string };
  job_team_members: { job_id: number; user_id: number };
}

export interface JobView {
  id: number;
  title: string;
  companyId: number;
  company: string;
  description: string | null;
  location: string | null;
  status: JobStatus;
  createdBy: number;
  createdAt: string;
  updatedAt: string;
}

export interface JobFilter {
  statuses?: readonly JobStatus[];
  companyId?: number;
  /** Case-insensitive substring of the title or the company name; `%`, `_` and `?` are plain characters. */
  q?: string;
  /** Only the jobs on whose hiring team this user is. */
  teamMember?: number;
  /** Only jobs with a smaller id (the page cursor). */
  before?: number;
  limit: number;
}

/** A page of jobs with their company names, newest first. */
export async function listJobs(em: SqlEntityManager, filter: JobFilter): Promise<JobView[]> {
  let query = em
    .getKysely<Tables>()
    .selectFrom('jobs as j')
    .innerJoin('companies as c', 'c.id', 'j.company_id')
    .select([
      'j.id',
      'j.title',
      'j.company_id',
      'c.name',
      'j.description',
      'j.location',
      'j.status',
      'j.created_by',
      'j.created_at',
      'j.updated_at',
    ]);
  // No status allowed is no job (PostgreSQL refuses an empty `in ()`).
  if (filter.statuses?.length === 0) return [];
  if (filter.statuses) query = query.where('j.status', 'in', [...filter.statuses]);
  if (filter.companyId !== undefined) query = query.where('j.company_id', '=', filter.companyId);
  if (filter.before !== undefined) query = query.where('j.id', '<', filter.before);
  const member = filter.teamMember;
  if (member !== undefined) {
    query = query.where((eb) =>
      eb.exists(
        eb.selectFrom('job_team_members as t').select('t.job_id').whereRef('t.job_id', '=', 'j.id').where('t.user_id', '=', member),
      ),
    );
  }
  const q = filter.q;
  if (q) {
    // A substring position finds the text as it is, where LIKE would read `%` and `_` as wildcards.
    const position = dialectOf(em).position;
    query = query.where((eb) =>
      eb.or([
        eb(eb.fn<number>(position, [eb.fn('lower', ['j.title']), eb.fn('lower', [eb.val(q)])]), '>', 0),
        eb(eb.fn<number>(position, [eb.fn('lower', ['c.name']), eb.fn('lower', [eb.val(q)])]), '>', 0),
      ]),
    );
  }
  const rows = await query.orderBy('j.id', 'desc').limit(filter.limit).execute();
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    companyId: r.company_id,
    company: r.name,
    description: r.description,
    location: r.location,
    status: r.status,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }));
}

/** The view of a job entity just written, with its company's name. */
export function jobView(
  job: Omit<JobView, 'company' | 'description' | 'location'> & { description?: string | null; location?: string | null },
  company: string,
): JobView {
  return {
    id: job.id,
    title: job.title,
    companyId: job.companyId,
    company,
    description: job.description ?? null,
    location: job.location ?? null,
    status: job.status,
    createdBy: job.createdBy,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
}
