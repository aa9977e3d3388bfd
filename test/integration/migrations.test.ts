import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateDown, migrateUp, openOrm, type Orm } from '../../src/db/orm';
import { loadConfig } from '../../src/config';
import { testDatabase, testEnv } from '../support/stack';

/**
 * Each database has its own line of migrations (`migrations/` for SQLite, `migrations/postgresql/`);
 * the suite runs on the one the test run selects, and the PostgreSQL run also checks that its line
 * builds the schema SQLite's reaches.
 */
const postgresql = process.env.ATS_TEST_DATABASE === 'postgresql';

type Column = { table: string; column: string; nullable: boolean };

const sqliteTables = async (orm: Orm) =>
  (
    await orm.em
      .getConnection()
      .execute<{ name: string }[]>(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name != 'mikro_orm_migrations' order by name",
      )
  ).map((r) => r.name);
const postgresqlTables = async (orm: Orm) =>
  (
    await orm.em
      .getConnection()
      .execute<{ name: string }[]>(
        "select table_name as name from information_schema.tables where table_schema = current_schema() and table_name != 'mikro_orm_migrations' order by table_name",
      )
  ).map((r) => r.name);
const tables = (orm: Orm) => (postgresql ? postgresqlTables(orm) : sqliteTables(orm));

const SQLITE_ALL = [
  'Migration20261124000000_initial',
  'Migration20261130000000_companies',
  'Migration20261130120000_hiring_teams',
  'Migration20261130180000_candidate_data_keys',
  'Migration20261130200000_webhooks',
  'Migration20261130220000_notification_outbox',
  'Migration20261201000000_transition_intents',
  'Migration20261201120000_notification_leases',
  'Migration20261202000000_application_claims',
  'Migration20261207000000_notes',
  'Migration20261207120000_structured_hiring',
  'Migration20261207130000_hiring_manager_role',
  'Migration20261207140000_pipelines',
  'Migration20261207150000_reports',
  'Migration20261207160000_application_stays',
  'Migration20261207170000_application_stay_counts',
];
const POSTGRESQL_ALL = [
  'Migration20261130140000_initial',
  'Migration20261130180000_candidate_data_keys',
  'Migration20261130200000_webhooks',
  'Migration20261130220000_notification_outbox',
  'Migration20261201000000_transition_intents',
  'Migration20261201120000_notification_leases',
  'Migration20261202000000_application_claims',
  'Migration20261207000000_notes',
  'Migration20261207120000_structured_hiring',
  'Migration20261207130000_hiring_manager_role',
  'Migration20261207140000_pipelines',
  'Migration20261207150000_reports',
  'Migration20261207160000_application_stays',
  'Migration20261207170000_application_stay_counts',
];
const ALL = SQLITE_ALL;
/** The migration just before `name` in the line the run selects, to migrate down to. */
const before = (name: string) => {
  const line = postgresql ? POSTGRESQL_ALL : SQLITE_ALL;
  return line[line.indexOf(name) - 1];
};
const TABLES = [
  'application_claims',
  'application_stay_counts',
  'application_stays',
  'applications',
  'candidate_data_keys',
  'companies',
  'interview_interviewers',
  'interviews',
  'job_pipelines',
  'job_team_members',
  'jobs',
  'notes',
  'notification_outbox',
  'pipeline_migrations',
  'scorecards',
  'stage_events',
  'transition_intents',
  'users',
  'webhook_deliveries',
  'webhook_subscriptions',
];

/** A fresh SQLite file, or in the PostgreSQL run, a fresh PostgreSQL database (`sqlite` forces a file). */
async function withOrm(run: (orm: Orm) => Promise<void>, dialect: 'sqlite' | 'selected' = 'selected') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-migrations-'));
  const database = dialect === 'sqlite' ? { url: `sqlite:///${path.join(dir, 'test.db')}`, drop: () => undefined } : testDatabase(dir);
  const orm = await openOrm(loadConfig(testEnv(dir, { DATABASE_URL: database.url })).database);
  try {
    await run(orm);
  } finally {
    await orm.close();
    database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('migrations', () => {
  const onSqlite = postgresql ? test.skip : test;
  const onPostgresql = postgresql ? test : test.skip;

  onSqlite('run up and down against a real SQLite file', () =>
    withOrm(async (orm) => {
      expect(await migrateUp(orm)).toEqual(ALL);
      expect(await tables(orm)).toEqual(TABLES);
      expect(await migrateUp(orm)).toEqual([]);
      expect(await migrateDown(orm)).toEqual([...ALL].reverse());
      expect(await tables(orm)).toEqual([]);
      expect(await migrateUp(orm)).toHaveLength(ALL.length);
      const [{ journal_mode }] = await orm.em.getConnection().execute<{ journal_mode: string }[]>('pragma journal_mode');
      expect(journal_mode).toBe('wal');
    }),
  );

  onSqlite('companies: every distinct name (letter case aside) becomes one company, no job is lost, and down restores the names', () =>
    withOrm(async (orm) => {
      const sql = (q: string, params: unknown[] = []) => orm.em.getConnection().execute(q, params);
      await orm.migrator.up({ to: ALL[0] });
      await sql(
        "insert into users (id, email, password_hash, role, created_at, updated_at) values (1, 'r@example.com', 'x', 'recruiter', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
      );
      const jobs: [number, string, string][] = [
        [1, 'Backend', 'TechCorp'],
        [2, 'Frontend', 'WebWorks'],
        [3, 'Ops', 'techcorp'],
        [4, 'Data', 'DataPlus'],
        [5, 'QA', 'WebWorks'],
      ];
      for (const [id, title, company] of jobs) {
        await sql("insert into jobs (id, title, company, status, created_by, created_at, updated_at) values (?, ?, ?, 'open', 1, ?, ?)", [
          id,
          title,
          company,
          `2026-01-0${id}T00:00:00.000Z`,
          `2026-01-0${id}T00:00:00.000Z`,
        ]);
      }
      await sql(
        "insert into applications (id, job_id, candidate_id, stage, seq, created_at, updated_at) values ('application-job3-candidate1', 3, 1, 'applied', 1, 'x', 'x')",
      );

      await migrateUp(orm);
      expect(await sql('select id, name, created_at from companies order by id')).toEqual([
        { id: 1, name: 'TechCorp', created_at: '2026-01-01T00:00:00.000Z' },
        { id: 2, name: 'WebWorks', created_at: '2026-01-02T00:00:00.000Z' },
        { id: 3, name: 'DataPlus', created_at: '2026-01-04T00:00:00.000Z' },
      ]);
      expect(await sql('select id, title, company_id from jobs order by id')).toEqual([
        { id: 1, title: 'Backend', company_id: 1 },
        { id: 2, title: 'Frontend', company_id: 2 },
        { id: 3, title: 'Ops', company_id: 1 },
        { id: 4, title: 'Data', company_id: 3 },
        { id: 5, title: 'QA', company_id: 2 },
      ]);
      await expect(sql("insert into companies (name, created_at) values ('TECHCORP', 'x')")).rejects.toThrow(/unique/i);
      // Every job belongs to an existing company, as a foreign key would require.
      await expect(
        sql("insert into jobs (title, status, created_by, created_at, updated_at) values ('No company', 'open', 1, 'x', 'x')"),
      ).rejects.toThrow(/existing company/);
      await expect(
        sql("insert into jobs (title, company_id, status, created_by, created_at, updated_at) values ('Ghost', 99, 'open', 1, 'x', 'x')"),
      ).rejects.toThrow(/existing company/);
      await expect(sql('update jobs set company_id = 99 where id = 1')).rejects.toThrow(/existing company/);

      await migrateDown(orm, ALL[0]);
      expect(await tables(orm)).toEqual(['applications', 'jobs', 'stage_events', 'users']);
      expect(await sql('select id, company from jobs order by id')).toEqual([
        { id: 1, company: 'TechCorp' },
        { id: 2, company: 'WebWorks' },
        { id: 3, company: 'TechCorp' },
        { id: 4, company: 'DataPlus' },
        { id: 5, company: 'WebWorks' },
      ]);
      expect(await sql('select count(*) as n from applications')).toEqual([{ n: 1 }]);
    }),
  );

  test('candidate data keys: one per user, which must exist; down drops the table only', () =>
    withOrm(async (orm) => {
      const sql = <T extends object[] = object[]>(text: string, params: unknown[] = []) =>
        orm.em.getConnection().execute<T>(text, params, 'all');
      await migrateUp(orm);
      const at = '2026-01-01T00:00:00.000Z';
      await sql(
        "insert into users (id, email, password_hash, role, created_at, updated_at) values (1, 'a@example.com', 'x', 'candidate', ?, ?)",
        [at, at],
      );
      await sql("insert into candidate_data_keys (user_id, master_key_id, wrapped_key, created_at) values (1, 'k1', 'AAAA', ?)", [at]);
      await expect(
        sql("insert into candidate_data_keys (user_id, master_key_id, wrapped_key, created_at) values (1, 'k1', 'BBBB', ?)", [at]),
      ).rejects.toThrow(/UNIQUE|constraint/i);
      await expect(
        sql("insert into candidate_data_keys (user_id, master_key_id, wrapped_key, created_at) values (2, 'k1', 'BBBB', ?)", [at]),
      ).rejects.toThrow(/FOREIGN KEY|constraint/i);
      expect(await migrateDown(orm, postgresql ? POSTGRESQL_ALL[0] : 'Migration20261130120000_hiring_teams')).toEqual([
        'Migration20261207170000_application_stay_counts',
        'Migration20261207160000_application_stays',
        'Migration20261207150000_reports',
        'Migration20261207140000_pipelines',
        'Migration20261207130000_hiring_manager_role',
        'Migration20261207120000_structured_hiring',
        'Migration20261207000000_notes',
        'Migration20261202000000_application_claims',
        'Migration20261201120000_notification_leases',
        'Migration20261201000000_transition_intents',
        'Migration20261130220000_notification_outbox',
        'Migration20261130200000_webhooks',
        'Migration20261130180000_candidate_data_keys',
      ]);
      expect(await tables(orm)).not.toContain('candidate_data_keys');
      expect(await sql('select count(*) as n from users')).toEqual([{ n: 1 }]);
    }));

  test('webhooks: a delivery id is written once, and belongs to an existing subscription; down drops both tables only', () =>
    withOrm(async (orm) => {
      const sql = <T extends object[] = object[]>(text: string, params: unknown[] = []) =>
        orm.em.getConnection().execute<T>(text, params, 'all');
      await migrateUp(orm);
      const at = '2026-01-01T00:00:00.000Z';
      await sql(
        "insert into users (id, email, password_hash, role, created_at, updated_at) values (1, 'a@example.com', 'x', 'admin', ?, ?)",
        [at, at],
      );
      await sql(
        "insert into webhook_subscriptions (id, url, events, active, secret, created_by, created_at, updated_at) values ('wh_1', 'https://e.com', '[]', 1, 's', 1, ?, ?)",
        [at, at],
      );
      const deliver = (id: string, sub: string) =>
        sql(
          "insert into webhook_deliveries (id, subscription_id, event, payload, status, attempts, created_at) values (?, ?, 'job.created', '{}', 'pending', 0, ?) on conflict (id) do nothing",
          [id, sub, at],
        );
      await deliver('msg_1', 'wh_1');
      await deliver('msg_1', 'wh_1');
      expect(await sql('select count(*) as n from webhook_deliveries')).toEqual([{ n: 1 }]);
      await expect(deliver('msg_2', 'wh_missing')).rejects.toThrow(/FOREIGN KEY|constraint/i);
      expect(await migrateDown(orm, postgresql ? POSTGRESQL_ALL[1] : SQLITE_ALL[3])).toEqual([
        'Migration20261207170000_application_stay_counts',
        'Migration20261207160000_application_stays',
        'Migration20261207150000_reports',
        'Migration20261207140000_pipelines',
        'Migration20261207130000_hiring_manager_role',
        'Migration20261207120000_structured_hiring',
        'Migration20261207000000_notes',
        'Migration20261202000000_application_claims',
        'Migration20261201120000_notification_leases',
        'Migration20261201000000_transition_intents',
        'Migration20261130220000_notification_outbox',
        'Migration20261130200000_webhooks',
      ]);
      expect(await tables(orm)).not.toContain('webhook_deliveries');
      expect(await tables(orm)).not.toContain('webhook_subscriptions');
      expect(await sql('select count(*) as n from users')).toEqual([{ n: 1 }]);
    }));

  test('transition intents: one row per change in flight; down drops the table only', () =>
    withOrm(async (orm) => {
      const sql = <T extends object[] = object[]>(text: string, params: unknown[] = []) =>
        orm.em.getConnection().execute<T>(text, params, 'all');
      await migrateUp(orm);
      const at = '2026-01-01T00:00:00.000Z';
      await sql("insert into transition_intents (id, application_id, after_seq, created_at) values ('u1', 'app-1-2', 0, ?)", [at]);
      await expect(
        sql("insert into transition_intents (id, application_id, after_seq, created_at) values ('u1', 'app-1-2', 1, ?)", [at]),
      ).rejects.toThrow(/UNIQUE|duplicate|constraint/i);
      expect(await migrateDown(orm, before('Migration20261201000000_transition_intents'))).toEqual([
        'Migration20261207170000_application_stay_counts',
        'Migration20261207160000_application_stays',
        'Migration20261207150000_reports',
        'Migration20261207140000_pipelines',
        'Migration20261207130000_hiring_manager_role',
        'Migration20261207120000_structured_hiring',
        'Migration20261207000000_notes',
        'Migration20261202000000_application_claims',
        'Migration20261201120000_notification_leases',
        'Migration20261201000000_transition_intents',
      ]);
      expect(await tables(orm)).not.toContain('transition_intents');
      expect(await tables(orm)).toContain('notification_outbox');
    }));

  test('notification leases: a row is taken by one holder at a time; down returns rows in flight to pending', () =>
    withOrm(async (orm) => {
      const sql = <T extends object[] = object[]>(text: string, params: unknown[] = []) =>
        orm.em.getConnection().execute<T>(text, params, 'all');
      await migrateUp(orm);
      await sql(
        "insert into notification_outbox (id, subject, data, status, created_at) values ('n1', 'app-1-2', '{}', 'pending', '2026-01-01T00:00:00.000Z')",
      );
      const take = (holder: string) =>
        sql(
          "update notification_outbox set status = 'sending', lease_until = '2999-01-01T00:00:00.000Z', lease_holder = ? where id = 'n1' and status = 'pending' returning id",
          [holder],
        );
      expect(await take('a')).toEqual([{ id: 'n1' }]);
      expect(await take('b')).toEqual([]);
      expect(await sql("select status, lease_holder from notification_outbox where id = 'n1'")).toEqual([
        { status: 'sending', lease_holder: 'a' },
      ]);
      expect(await migrateDown(orm, before('Migration20261201120000_notification_leases'))).toEqual([
        'Migration20261207170000_application_stay_counts',
        'Migration20261207160000_application_stays',
        'Migration20261207150000_reports',
        'Migration20261207140000_pipelines',
        'Migration20261207130000_hiring_manager_role',
        'Migration20261207120000_structured_hiring',
        'Migration20261207000000_notes',
        'Migration20261202000000_application_claims',
        'Migration20261201120000_notification_leases',
      ]);
      expect(await sql('select * from notification_outbox')).toEqual([
        { id: 'n1', subject: 'app-1-2', data: '{}', status: 'pending', created_at: '2026-01-01T00:00:00.000Z', sent_at: null },
      ]);
    }));

  test("application claims: existing applications are claimed with their ids; one claim per pair and per workflow id; a job's claims go with it; down drops the table only", () =>
    withOrm(async (orm) => {
      const sql = <T extends object[] = object[]>(text: string, params: unknown[] = []) =>
        orm.em.getConnection().execute<T>(text, params, 'all');
      const lines = postgresql ? POSTGRESQL_ALL : SQLITE_ALL;
      const claims = lines.indexOf('Migration20261202000000_application_claims');
      await orm.migrator.up({ to: lines[claims - 1] });
      const at = '2026-01-01T00:00:00.000Z';
      await sql(
        "insert into users (id, email, password_hash, role, created_at, updated_at) values (1, 'r@example.com', 'x', 'recruiter', ?, ?), (2, 'c@example.com', 'x', 'candidate', ?, ?)",
        [at, at, at, at],
      );
      await sql("insert into companies (id, name, created_at) values (1, 'TechCorp', ?)", [at]);
      await sql(
        "insert into jobs (id, title, company_id, status, created_by, created_at, updated_at) values (3, 'A', 1, 'open', 1, ?, ?), (4, 'B', 1, 'open', 1, ?, ?)",
        [at, at, at, at],
      );
      await sql(
        "insert into applications (id, job_id, candidate_id, stage, seq, created_at, updated_at) values ('application-job3-candidate2', 3, 2, 'applied', 1, ?, ?)",
        [at, at],
      );

      expect((await orm.migrator.up({ to: lines[claims] })).map((m) => m.name)).toEqual([lines[claims]]);
      expect(
        await sql(
          'select job_id as "jobId", candidate_id as "candidateId", workflow_id as "workflowId", created_at as "createdAt" from application_claims',
        ),
      ).toEqual([{ jobId: 3, candidateId: 2, workflowId: 'application-job3-candidate2', createdAt: at }]);
      const claim = (job: number, workflowId: string) =>
        sql('insert into application_claims (job_id, candidate_id, workflow_id, created_at) values (?, 2, ?, ?)', [job, workflowId, at]);
      await expect(claim(3, 'application-job3-candidate2-aaaaaaaaaa')).rejects.toThrow(/UNIQUE|duplicate|constraint/i);
      await expect(claim(4, 'application-job3-candidate2')).rejects.toThrow(/UNIQUE|duplicate|constraint/i);
      await expect(claim(99, 'application-job99-candidate2-aaaaaaaaaa')).rejects.toThrow(/FOREIGN KEY|constraint/i);
      await claim(4, 'application-job4-candidate2-aaaaaaaaaa');
      await sql('delete from jobs where id = 4');
      expect(await sql('select workflow_id as "workflowId" from application_claims')).toEqual([
        { workflowId: 'application-job3-candidate2' },
      ]);

      expect(await migrateDown(orm, lines[claims - 1])).toEqual([lines[claims]]);
      expect(await tables(orm)).not.toContain('application_claims');
      expect(await sql('select count(*) as n from applications')).toEqual([{ n: 1 }]);
    }));

  test("notes: each belongs to an existing application and author; one application's notes are read oldest first by index; down drops the table only", () =>
    withOrm(async (orm) => {
      const sql = <T extends object[] = object[]>(text: string, params: unknown[] = []) =>
        orm.em.getConnection().execute<T>(text, params, 'all');
      const lines = postgresql ? POSTGRESQL_ALL : SQLITE_ALL;
      const notes = lines.indexOf('Migration20261207000000_notes');
      await orm.migrator.up({ to: lines[notes] });
      const at = '2026-01-01T00:00:00.000Z';
      await sql(
        "insert into users (id, email, password_hash, role, created_at, updated_at) values (1, 'r@example.com', 'x', 'recruiter', ?, ?), (2, 'c@example.com', 'x', 'candidate', ?, ?)",
        [at, at, at, at],
      );
      await sql("insert into companies (id, name, created_at) values (1, 'TechCorp', ?)", [at]);
      await sql(
        "insert into jobs (id, title, company_id, status, created_by, created_at, updated_at) values (3, 'A', 1, 'open', 1, ?, ?)",
        [at, at],
      );
      await sql(
        "insert into applications (id, job_id, candidate_id, stage, seq, created_at, updated_at) values ('application-job3-candidate2', 3, 2, 'applied', 1, ?, ?)",
        [at, at],
      );
      const note = (applicationId: string, authorId: number, body: string) =>
        sql('insert into notes (application_id, author_id, body, created_at) values (?, ?, ?, ?)', [applicationId, authorId, body, at]);
      await note('application-job3-candidate2', 1, 'first');
      await note('application-job3-candidate2', 1, 'second');
      await expect(note('application-job9-candidate2', 1, 'orphan')).rejects.toThrow(/FOREIGN KEY|constraint/i);
      await expect(note('application-job3-candidate2', 99, 'nobody')).rejects.toThrow(/FOREIGN KEY|constraint/i);
      expect(await sql("select body from notes where application_id = 'application-job3-candidate2' order by created_at, id")).toEqual([
        { body: 'first' },
        { body: 'second' },
      ]);
      if (!postgresql) {
        const plan = await sql<{ detail: string }[]>(
          'explain query plan select id from notes where application_id = ? order by created_at, id',
          ['application-job3-candidate2'],
        );
        expect(plan.map((r) => r.detail).join('\n')).toMatch(/USING COVERING INDEX notes_application_created_index/);
      }

      expect(await migrateDown(orm, lines[notes - 1])).toEqual([lines[notes]]);
      expect(await tables(orm)).not.toContain('notes');
      expect(await sql('select count(*) as n from applications')).toEqual([{ n: 1 }]);
    }));

  onSqlite('hiring teams: every job that existed before gets its creator on its team; down drops the teams only', async () => {
    await withOrm(async (orm) => {
      const sql = <T extends object[] = object[]>(text: string, params: unknown[] = []) =>
        orm.em.getConnection().execute<T>(text, params, 'all');
      await orm.migrator.up({ to: 'Migration20261124000000_initial' });
      const at = '2026-01-01T00:00:00.000Z';
      await sql(
        `insert into users (id, email, password_hash, role, created_at, updated_at) values
        (1, 'a@example.com', 'x', 'recruiter', ?, ?), (2, 'b@example.com', 'x', 'recruiter', ?, ?)`,
        [at, at, at, at],
      );
      await sql(
        `insert into jobs (id, title, company, status, created_by, created_at, updated_at) values
        (10, 'A', 'C', 'open', 1, ?, ?), (11, 'B', 'C', 'draft', 2, ?, ?), (12, 'C', 'C', 'closed', 1, ?, ?)`,
        [at, at, at, at, at, at],
      );
      expect(await migrateUp(orm)).toEqual(ALL.slice(1));
      expect(
        await sql(
          'select job_id as jobId, user_id as userId, added_by as addedBy, created_at as createdAt from job_team_members order by job_id',
        ),
      ).toEqual([
        { jobId: 10, userId: 1, addedBy: 1, createdAt: at },
        { jobId: 11, userId: 2, addedBy: 2, createdAt: at },
        { jobId: 12, userId: 1, addedBy: 1, createdAt: at },
      ]);
      const plan = await sql<{ detail: string }[]>('explain query plan select job_id from job_team_members where user_id = ?', [1]);
      expect(plan.map((r) => r.detail).join('\n')).toMatch(/USING COVERING INDEX job_team_members_user_index/);
      expect(await migrateDown(orm, 'Migration20261124000000_initial')).toEqual(ALL.slice(1).reverse());
      expect(await tables(orm)).toEqual(['applications', 'jobs', 'stage_events', 'users']);
      expect(await sql('select count(*) as n from jobs')).toEqual([{ n: 3 }]);
    });
  });

  onPostgresql('run up and down against a real PostgreSQL database', () =>
    withOrm(async (orm) => {
      expect(await migrateUp(orm)).toEqual(POSTGRESQL_ALL);
      expect(await tables(orm)).toEqual(TABLES);
      expect(await migrateUp(orm)).toEqual([]);
      expect(await migrateDown(orm)).toEqual([...POSTGRESQL_ALL].reverse());
      expect(await tables(orm)).toEqual([]);
      const [{ n }] = await orm.em
        .getConnection()
        .execute<{ n: number }[]>("select count(*) as n from pg_extension where extname = 'citext'");
      expect(n).toBe(0);
      expect(await migrateUp(orm)).toEqual(POSTGRESQL_ALL);
      expect(await tables(orm)).toEqual(TABLES);
    }),
  );

  onPostgresql("PostgreSQL's line builds the schema SQLite's reaches: tables, columns, nullability, named indexes", async () => {
    const shape = async (orm: Orm, dialect: 'sqlite' | 'postgresql') => {
      const sql = <T extends object[]>(text: string, params: unknown[] = []) => orm.em.getConnection().execute<T>(text, params, 'all');
      const columns: Column[] = [];
      const indexes: string[] = [];
      for (const table of TABLES) {
        if (dialect === 'sqlite') {
          const info = await sql<{ name: string; notnull: number; pk: number }[]>(`select name, "notnull", pk from pragma_table_info(?)`, [
            table,
          ]);
          columns.push(...info.map((c) => ({ table, column: c.name, nullable: !c.notnull && !c.pk })));
          indexes.push(
            ...(
              await sql<{ name: string }[]>(
                "select name from sqlite_master where type = 'index' and tbl_name = ? and name not like 'sqlite_autoindex%'",
                [table],
              )
            ).map((i) => i.name),
          );
        } else {
          const info = await sql<{ name: string; nullable: string }[]>(
            'select column_name as name, is_nullable as nullable from information_schema.columns where table_schema = current_schema() and table_name = ?',
            [table],
          );
          columns.push(...info.map((c) => ({ table, column: c.name, nullable: c.nullable === 'YES' })));
          indexes.push(
            ...(
              await sql<{ name: string }[]>(
                "select indexname as name from pg_indexes where schemaname = current_schema() and tablename = ? and indexname not like '%_pkey' and indexname not like '%_key'",
                [table],
              )
            ).map((i) => i.name),
          );
        }
      }
      const order = (a: Column, b: Column) => `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`);
      return { columns: columns.sort(order), indexes: indexes.sort() };
    };
    let sqlite: Awaited<ReturnType<typeof shape>> | undefined;
    await withOrm(async (orm) => {
      await migrateUp(orm);
      sqlite = await shape(orm, 'sqlite');
    }, 'sqlite');
    await withOrm(async (orm) => {
      await migrateUp(orm);
      const pg = await shape(orm, 'postgresql');
      // The one difference: a job's company is NOT NULL with a foreign key on PostgreSQL; SQLite
      // could not add such a column to a table with rows, and holds the same rule with triggers.
      const jobCompany = (c: Column) => c.table === 'jobs' && c.column === 'company_id';
      expect(sqlite!.columns.find(jobCompany)).toEqual({ table: 'jobs', column: 'company_id', nullable: true });
      expect(pg.columns.find(jobCompany)).toEqual({ table: 'jobs', column: 'company_id', nullable: false });
      expect(pg.columns.filter((c) => !jobCompany(c))).toEqual(sqlite!.columns.filter((c) => !jobCompany(c)));
      expect(pg.indexes).toEqual(sqlite!.indexes);
      expect(pg.indexes).toContain('applications_job_created_index');
    });
  });

  onPostgresql(
    'PostgreSQL holds the same rules: unique (application, seq), company names unique in any case, jobs need an existing company, teams go with their job',
    () =>
      withOrm(async (orm) => {
        await migrateUp(orm);
        const sql = (q: string, params: unknown[] = []) => orm.em.getConnection().execute(q, params);
        const at = '2026-01-01T00:00:00.000Z';
        await sql(
          "insert into users (id, email, password_hash, role, created_at, updated_at) values (1, 'r@example.com', 'x', 'recruiter', ?, ?)",
          [at, at],
        );
        await sql("insert into companies (id, name, created_at) values (1, 'TechCorp', ?)", [at]);
        await expect(sql("insert into companies (name, created_at) values ('TECHCORP', ?)", [at])).rejects.toThrow(/unique/i);
        expect(await sql("select id from companies where name = 'techcorp'")).toEqual([{ id: 1 }]);
        await expect(
          sql("insert into jobs (title, status, created_by, created_at, updated_at) values ('No company', 'open', 1, ?, ?)", [at, at]),
        ).rejects.toThrow(/null/i);
        await expect(
          sql("insert into jobs (title, company_id, status, created_by, created_at, updated_at) values ('Ghost', 99, 'open', 1, ?, ?)", [
            at,
            at,
          ]),
        ).rejects.toThrow(/foreign key/i);
        // Ids are 64-bit, as on SQLite: the test harness starts every stack's ids past 2^31.
        await sql(
          "insert into jobs (id, title, company_id, status, created_by, created_at, updated_at) values (5000000000, 'Big', 1, 'open', 1, ?, ?)",
          [at, at],
        );
        await sql(
          "insert into applications (id, job_id, candidate_id, stage, seq, created_at, updated_at) values ('a', 5000000000, 1, 'applied', 1, ?, ?)",
          [at, at],
        );
        expect(await sql("select job_id from applications where id = 'a'")).toEqual([{ job_id: 5000000000 }]);
        await sql("insert into stage_events (application_id, seq, to_stage, at) values ('a', 1, 'applied', ?)", [at]);
        await expect(
          sql("insert into stage_events (application_id, seq, to_stage, at) values ('a', 1, 'screening', ?)", [at]),
        ).rejects.toThrow(/unique/i);
        // Pages and versions compare text in byte order, as SQLite does, whatever the database's locale.
        expect(
          await sql(`select column_name as name, collation_name as collation from information_schema.columns
      where table_schema = current_schema() and table_name = 'applications' and column_name in ('id', 'created_at', 'updated_at') order by column_name`),
        ).toEqual([
          { name: 'created_at', collation: 'C' },
          { name: 'id', collation: 'C' },
          { name: 'updated_at', collation: 'C' },
        ]);
        await sql('insert into job_team_members (job_id, user_id, added_by, created_at) values (5000000000, 1, 1, ?)', [at]);
        await sql("delete from stage_events where application_id = 'a'");
        await sql("delete from applications where id = 'a'");
        await sql('delete from jobs where id = 5000000000');
        expect(await sql('select count(*) as n from job_team_members')).toEqual([{ n: 0 }]);
      }),
  );
});
