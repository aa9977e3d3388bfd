import Database from 'better-sqlite3';
import { cachingStatements } from '../../src/db/statement-cache';

describe('prepared statements are cached by text', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
    db.exec('create table t (x integer); insert into t values (1), (2), (3)');
  });
  afterEach(() => {
    if (db.open) db.close();
  });

  test("the same text gives the same statement, which still binds each call's values", () => {
    const cached = cachingStatements(db);
    const first = cached.prepare('select x from t where x >= ? order by x');
    expect(cached.prepare('select x from t where x >= ? order by x')).toBe(first);
    expect(first.all([2])).toEqual([{ x: 2 }, { x: 3 }]);
    expect(cached.prepare('select x from t where x >= ? order by x').all([3])).toEqual([{ x: 3 }]);
  });

  test('a statement a stream is still iterating is not handed out again', () => {
    const cached = cachingStatements(db);
    const streaming = cached.prepare('select x from t order by x');
    const rows = streaming.iterate([]);
    expect(rows.next().value).toEqual({ x: 1 });
    const other = cached.prepare('select x from t order by x');
    expect(other).not.toBe(streaming);
    expect(other.all([])).toHaveLength(3);
    expect([...rows]).toEqual([{ x: 2 }, { x: 3 }]);
    expect(cached.prepare('select x from t order by x')).toBe(streaming);
  });

  test('beyond its capacity the oldest text is prepared anew', () => {
    const cached = cachingStatements(db, 2);
    const a = cached.prepare('select 1');
    cached.prepare('select 2');
    cached.prepare('select 3');
    expect(cached.prepare('select 1')).not.toBe(a);
  });

  test('a schema change under a cached statement is picked up', () => {
    const cached = cachingStatements(db);
    expect(cached.prepare('select * from t limit 1').all([])).toEqual([{ x: 1 }]);
    db.exec("alter table t add column y text default 'y'");
    expect(cached.prepare('select * from t limit 1').all([])).toEqual([{ x: 1, y: 'y' }]);
  });

  test('closing closes the database', () => {
    cachingStatements(db).close();
    expect(db.open).toBe(false);
  });
});
