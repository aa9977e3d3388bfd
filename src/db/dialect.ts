import { SqlitePlatform } from '@mikro-orm/sql';

/**
 * What the projection's hand-written SQL says differently on SQLite and PostgreSQL. Everything else
 * (`on conflict … do`, row-value comparisons, `?` placeholders, quoted aliases) is written once.
 */
export interface SqlDialect {
  name: 'sqlite' | 'postgresql';
  /** `fn(haystack, needle)`: the 1-based position of a substring, 0 when absent; plain text, no wildcards. */
  position: 'instr' | 'strpos';
  /**
   * The `from` of a recruiter's application list and the team filter's column. SQLite's planner
   * needs telling which way to read (see application-repository.ts); PostgreSQL costs both plans
   * from its statistics and takes no hints.
   */
  teamList(few: boolean): { from: string; jobColumn: string };
  /** Statements that make the next generated ids of `tables` start after `offset`. */
  idOffset(tables: readonly string[], offset: number): { sql: string; params: unknown[] }[];
  /**
   * Appended to a `select` inside a transaction whose decision depends on the rows it reads: on
   * PostgreSQL they are locked until commit; SQLite already runs one writer at a time.
   */
  lockRead: '' | ' for update';
  /**
   * A stage event's actor (a user id as text, or `system`) as a users.id to join on, so the join is
   * a primary-key lookup: SQLite compares text with an integer key numerically; PostgreSQL needs a cast.
   */
  actorUserId(column: string): string;
}

export const SQLITE: SqlDialect = {
  name: 'sqlite',
  position: 'instr',
  teamList: (few) =>
    few
      ? { from: 'applications indexed by applications_job_created_index', jobColumn: 'job_id' }
      : { from: 'applications', jobColumn: '+job_id' },
  idOffset: (tables, offset) => [
    {
      sql: `insert into sqlite_sequence (name, seq) values ${tables.map(() => '(?, ?)').join(', ')}`,
      params: tables.flatMap((t) => [t, offset]),
    },
  ],
  lockRead: '',
  actorUserId: (column) => column,
};

export const POSTGRESQL: SqlDialect = {
  name: 'postgresql',
  position: 'strpos',
  teamList: () => ({ from: 'applications', jobColumn: 'job_id' }),
  idOffset: (tables, offset) => tables.map((t) => ({ sql: "select setval(pg_get_serial_sequence(?, 'id'), ?)", params: [t, offset] })),
  lockRead: ' for update',
  actorUserId: (column) => `case when ${column} ~ '^[0-9]{1,18}$' then cast(${column} as bigint) end`,
};

/** The dialect of an entity manager's (or ORM's) database. */
export function dialectOf(em: { getPlatform(): unknown }): SqlDialect {
  return em.getPlatform() instanceof SqlitePlatform ? SQLITE : POSTGRESQL;
}
