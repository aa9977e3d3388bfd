import type { SqlEntityManager } from '@mikro-orm/sql';
import { FINAL_STAGES, STAGES, type Stage } from '../domain/stages';

interface CountTables {
  applications: { job_id: number; stage: Stage };
}

/** Running applications per stage, every running stage listed (zero included), so a client need not know the pipeline. */
export type StageCounts = Record<string, number>;

const RUNNING = STAGES.filter((s) => !FINAL_STAGES.includes(s));

/** The running (non-final) applications of each job, per stage, in one grouped query for the whole page. */
export async function runningCounts(em: SqlEntityManager, jobIds: readonly number[]): Promise<Map<number, StageCounts>> {
  const counts = new Map(jobIds.map((id) => [id, Object.fromEntries(RUNNING.map((s) => [s, 0])) as StageCounts]));
  // PostgreSQL refuses an empty `in ()`.
  if (jobIds.length === 0) return counts;
  const rows = await em
    .getKysely<CountTables>()
    .selectFrom('applications')
    .select(['job_id', 'stage', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('job_id', 'in', [...jobIds])
    .where('stage', 'not in', [...FINAL_STAGES])
    .groupBy(['job_id', 'stage'])
    .execute();
  // PostgreSQL answers count(*) as a bigint string.
  for (const r of rows) counts.get(r.job_id)![r.stage] = Number(r.n);
  return counts;
}
