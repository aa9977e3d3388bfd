import type { Database } from 'better-sqlite3';
import { dialectOf } from '../../src/db/dialect';
import type { Orm } from '../../src/db/orm';

/**
 * Faults injected under the projection, on either database, for the recording-failure tests.
 *
 * `gate`: writes of a blocked application's row fail as a transient SQL fault would (an error that
 * is no constraint and no refused value, so the recording retries). `refuseHistory`: a trigger that
 * refuses an application's history past its first transition as a constraint would.
 */
export interface SqlFaults {
  block(applicationId: string): Promise<void>;
  unblock(applicationId: string): Promise<void>;
  refuseHistory(applicationId: string): Promise<void>;
  allowHistory(): Promise<void>;
}

export async function installSqlFaults(orm: Orm): Promise<SqlFaults> {
  const connection = orm.em.getConnection();
  const run = (sql: string, params: unknown[] = []) => connection.execute(sql, params, 'run');
  if (dialectOf(orm.em).name === 'sqlite') {
    // A JS function on the process's one SQLite connection: an error thrown inside a statement,
    // which SQL reports as a plain driver error, like an I/O fault or a lock.
    const blocked = new Set<string>();
    const db = (await connection.getNativeClient()) as Database;
    db.function('projection_gate', (id: unknown) => {
      if (blocked.has(String(id))) throw new Error('projection write failed (test gate)');
      return 0;
    });
    db.exec(`create trigger gate_insert before insert on applications begin select projection_gate(new.id); end;
      create trigger gate_update before update on applications begin select projection_gate(new.id); end;`);
    return {
      block: async (id) => {
        blocked.add(id);
      },
      unblock: async (id) => {
        blocked.delete(id);
      },
      refuseHistory: async (id) => {
        await run(`create trigger refuse_history before insert on stage_events when new.application_id = '${id.replaceAll("'", "''")}' and new.seq > 1
          begin select raise(abort, 'history refused'); end`);
      },
      allowHistory: async () => {
        await run('drop trigger refuse_history');
      },
    };
  }
  // PostgreSQL: the blocked ids in a table, read by a trigger that fails with SQLSTATE 58000
  // (system_error: neither a constraint nor a data exception).
  await run('create table projection_gate (id text primary key)');
  await run(`create function projection_gate() returns trigger language plpgsql as $$
    begin
      if exists (select 1 from projection_gate where id = new.id) then
        raise exception 'projection write failed (test gate)' using errcode = '58000';
      end if;
      return new;
    end $$`);
  await run('create trigger gate_write before insert or update on applications for each row execute function projection_gate()');
  await run('create table refused_histories (application_id text primary key)');
  await run(`create function refuse_history() returns trigger language plpgsql as $$
    begin
      if new.seq > 1 and exists (select 1 from refused_histories where application_id = new.application_id) then
        raise exception 'history refused' using errcode = '23514';
      end if;
      return new;
    end $$`);
  await run('create trigger refuse_history before insert on stage_events for each row execute function refuse_history()');
  return {
    block: async (id) => {
      await run('insert into projection_gate (id) values (?) on conflict do nothing', [id]);
    },
    unblock: async (id) => {
      await run('delete from projection_gate where id = ?', [id]);
    },
    refuseHistory: async (id) => {
      await run('insert into refused_histories (application_id) values (?)', [id]);
    },
    allowHistory: async () => {
      await run('delete from refused_histories');
    },
  };
}
