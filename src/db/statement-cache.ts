import type Database from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * Kysely's SQLite driver prepares every statement anew, and preparing (parsing and planning) cost
 * about as much as running a list page's indexed queries. The projection's statements are a small,
 * fixed set of texts (values are bound, never formatted in), so each is prepared once and reused.
 * A statement still being iterated by a stream is busy: a second caller then gets a fresh one.
 * SQLite re-prepares a cached statement itself when the schema changes under it.
 */
export function cachingStatements(db: Database.Database, capacity = 500): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => {
      cache.clear();
      db.close();
    },
    prepare(sql: string): SqliteStatement {
      const cached = cache.get(sql);
      if (cached) return cached.busy ? db.prepare(sql) : cached;
      const statement = db.prepare(sql);
      // The oldest entry goes first: only a flood of one-off texts (ad hoc scripts) ever reaches the bound.
      if (cache.size >= capacity) cache.delete(cache.keys().next().value!);
      cache.set(sql, statement);
      return statement;
    },
  };
}
