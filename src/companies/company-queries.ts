import type { SqlEntityManager } from '@mikro-orm/sql';
import type { Tables } from '../jobs/job-queries';
import { dialectOf } from '../db/dialect';

export interface CompanyRow { id: number; name: string; website: string | null; createdAt: string }

/**
 * Companies by name (letter case ignored, then id), a page after the company `after` names. The
 * name column ignores letter case (SQLite's `nocase`, PostgreSQL's `citext`), so its comparisons do; an unknown `after` ends the list.
 */
export async function listCompanies(em: SqlEntityManager, filter: { q?: string; after?: number; limit: number }): Promise<CompanyRow[]> {
  const db = em.getKysely<Tables>();
  let query = db.selectFrom('companies as c').select(['c.id', 'c.name', 'c.website', 'c.created_at']);
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
