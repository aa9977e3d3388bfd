import type { SqlEntityManager } from '@mikro-orm/sql';
import { sql } from 'kysely';
import type { Tables } from '../jobs/job-queries';
import { dialectOf } from '../db/dialect';

export interface CompanyRow {
  id: number;
  name: string;
  website: string | null;
  createdAt: string;
}

/**
 * Companies by name (letter case ignored, then id), a page after the company `after` names. The
 * name column ignores letter case (SQLite's `nocase`, PostgreSQL's `citext`), so its comparisons do; an unknown `after` ends the list.
 */
export async function listCompanies(
  em: SqlEntityManager,
  filter: { q?: string; after?: number; limit: number; publicOnly?: boolean },
): Promise<CompanyRow[]> {
  const db = em.getKysely<Tables>();
  let query = db.selectFrom('companies as c').select(['c.id', 'c.name', 'c.website', 'c.created_at']);
  if (filter.publicOnly) query = query.where(PUBLIC_COMPANY);
  if (filter.after !== undefined) {
    const last = await db.selectFrom('companies').select(['id', 'name']).where('id', '=', filter.after).executeTakeFirst();
    if (!last) return [];
    query = query.where((eb) => eb.or([eb('c.name', '>', last.name), eb.and([eb('c.name', '=', last.name), eb('c.id', '>', last.id)])]));
  }
  const q = filter.q;
  const position = dialectOf(em).position;
  if (q) query = query.where((eb) => eb(eb.fn<number>(position, [eb.fn('lower', ['c.name']), eb.fn('lower', [eb.val(q)])]), '>', 0));
  const rows = await query.orderBy('c.name', 'asc').orderBy('c.id', 'asc').limit(filter.limit).execute();
  return rows.map((r) => ({ id: r.id, name: r.name, website: r.website, createdAt: r.created_at }));
}

/**
 * A company the job board does not show: created by a job that named it (the job and the company
 * share their creation time, see resolveCompany) and with no job but drafts. `c` is the company.
 */
const PUBLIC_COMPANY = sql<boolean>`not exists (select 1 from jobs created where created.company_id = c.id and created.created_at = c.created_at
  and not exists (select 1 from jobs other where other.company_id = c.id and other.status <> 'draft'))`;

/** Whether anonymous callers and candidates may see the company (see PUBLIC_COMPANY). */
export async function isPublicCompany(em: SqlEntityManager, id: number): Promise<boolean> {
  const row = await em
    .getKysely<Tables>()
    .selectFrom('companies as c')
    .select('c.id')
    .where('c.id', '=', id)
    .where(PUBLIC_COMPANY)
    .executeTakeFirst();
  return row !== undefined;
}
