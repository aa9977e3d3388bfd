import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CompiledQuery, type DatabaseConnection } from 'kysely';
import { MikroORM, raw, type FilterQuery } from '@mikro-orm/sql';
import { migrateUp, ormConfig } from '../../src/db/orm';
import { dialectOf } from '../../src/db/dialect';
import { loadConfig } from '../../src/config';
import { testDatabase, testEnv } from '../support/stack';
import { UserSchema } from '../../src/db/entities/user.entity';
import { CompanySchema } from '../../src/db/entities/company.entity';
import { resolveCompany } from '../../src/companies/companies';
import { JobSchema, type Job } from '../../src/db/entities/job.entity';
import { projectApplication } from '../../src/applications/application-projection';
import { findApplication, listApplications } from '../../src/applications/application-repository';
import { refusedData } from '../../src/applications/recording-failures';

/**
 * Every value reaches the database as a bound parameter, never as text of the statement: what is
 * written on each write path reads back byte for byte, including characters that end or change a
 * literal. Runs on the database the test run selects (SQLite, or PostgreSQL's `$n` parameters).
 */
describe('values are bound, never formatted into SQL', () => {
  const postgresql = process.env.ATS_TEST_DATABASE === 'postgresql';
  // NUL ends a string literal in SQLite's tokenizer; PostgreSQL's text holds no NUL at all (see the
  // last test); the rest are what quoting and `?` scanning must survive.
  const NASTY = `a${postgresql ? '' : '\u0000'}b ' '' " ? ?? \\? $1 -- /* */ ; \\ é 😀 needle-7f3`;
  let dir: string;
  let database: ReturnType<typeof testDatabase>;
  let orm: MikroORM;
  const statements: string[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-binding-'));
    database = testDatabase(dir);
    const config = ormConfig(loadConfig(testEnv(dir, { DATABASE_URL: database.url })).database);
    orm = await MikroORM.init({
      ...config,
      onQuery: (sql: string) => {
        statements.push(sql);
        return sql;
      },
      // PostgreSQL logs every statement of these sessions as the server received it, without the
      // values of bound parameters: a value found in the log was formatted into a statement.
      ...(postgresql
        ? {
            onCreateConnection: async (created: unknown) => {
              const connection = created as DatabaseConnection;
              await connection.executeQuery(CompiledQuery.raw("set log_statement = 'all'"));
              await connection.executeQuery(CompiledQuery.raw('set log_parameter_max_length = 0'));
            },
          }
        : {}),
    });
    await migrateUp(orm);
  });
  afterAll(async () => {
    await orm?.close(true);
    database?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    statements.length = 0;
  });

  /** The bytes the database holds, as hex: SQLite's `length()` and friends stop at a NUL, `hex()` does not. */
  const hex = (column: string) => (postgresql ? `upper(encode(convert_to(${column}, 'UTF8'), 'hex'))` : `hex(${column})`);
  const storedHex = async (sql: string, params: unknown[]) => {
    const [row] = await orm.em.fork().execute<{ h: string }[]>(sql, params, 'all');
    return row.h;
  };
  const hexOf = (text: string) => Buffer.from(text, 'utf8').toString('hex').toUpperCase();
  /** Neither MikroORM's statements nor, on PostgreSQL, what the server received hold the value. */
  const noValueInSql = async () => {
    expect(statements.filter((s) => s.includes('needle-7f3'))).toEqual([]);
    if (!postgresql) return;
    // A literal logged by the same sessions shows the server log is being read.
    const marker = `log-marker-${Date.now()}`;
    await orm.em.fork().execute(`select '${marker}' as m`);
    const log = await eventuallyLogged(marker);
    expect(log.split('\n').filter((line) => line.includes('needle-7f3'))).toEqual([]);
  };
  const eventuallyLogged = async (text: string) => {
    for (let i = 0; i < 50; i++) {
      const log = fs.readFileSync(process.env.ATS_TEST_POSTGRES_LOG!, 'utf8');
      if (log.includes(text)) return log;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the PostgreSQL log never showed ${text}`);
  };

  test('an entity flush (insert and update) stores the value byte-identical', async () => {
    const em = orm.em.fork();
    const now = new Date().toISOString();
    const user = em.create(UserSchema, {
      email: `u-${Date.now()}@example.com`,
      passwordHash: 'x',
      role: 'recruiter',
      fullName: NASTY,
      active: true,
      createdAt: now,
      updatedAt: now,
    });
    await em.flush();
    const company = em.create(CompanySchema, { name: `${NASTY} co`, website: null, createdAt: now });
    await em.flush();
    const job = em.create(JobSchema, {
      title: NASTY,
      companyId: company.id,
      description: null,
      location: null,
      status: 'open',
      createdBy: user.id,
      createdAt: now,
      updatedAt: now,
    });
    await em.flush();
    job.description = `${NASTY} described`;
    await em.flush();

    const read = orm.em.fork();
    expect((await read.findOneOrFail(UserSchema, user.id)).fullName).toBe(NASTY);
    const stored = await read.findOneOrFail(JobSchema, job.id);
    expect([stored.title, stored.description]).toEqual([NASTY, `${NASTY} described`]);
    expect((await read.findOneOrFail(CompanySchema, company.id)).name).toBe(`${NASTY} co`);
    expect(await storedHex(`select ${hex('title')} as h from jobs where id = ?`, [job.id])).toBe(hexOf(NASTY));
    // A value in a query's filter is bound too, and matches exactly.
    expect((await orm.em.fork().find(JobSchema, { title: NASTY })).map((j) => j.id)).toEqual([job.id]);
    await noValueInSql();
  });

  test('the projection (em.execute with parameters) stores cover letter, actor and reason byte-identical', async () => {
    const em = orm.em.fork();
    const at = new Date().toISOString();
    const candidate = em.create(UserSchema, {
      email: `c-${Date.now()}@example.com`,
      passwordHash: 'x',
      role: 'candidate',
      fullName: null,
      active: true,
      createdAt: at,
      updatedAt: at,
    });
    await em.flush();
    const job = em.create(JobSchema, {
      title: 'Job',
      companyId: (await resolveCompany(em, { company: 'Co' })).id,
      description: null,
      location: null,
      status: 'open',
      createdBy: candidate.id,
      createdAt: at,
      updatedAt: at,
    });
    await em.flush();
    const id = `application-binding-${job.id}`;
    statements.length = 0;
    const wrote = await projectApplication(orm, {
      application: {
        id,
        jobId: String(job.id),
        candidateId: String(candidate.id),
        coverLetter: NASTY,
        resumeUrl: `https://example.com/${NASTY}`,
        createdAt: at,
      },
      history: [
        { seq: 1, from: null, to: 'applied', at, by: NASTY, reason: null },
        { seq: 2, from: 'applied', to: 'rejected', at, by: '7', reason: NASTY },
      ],
    });
    expect(wrote).toBe(true);
    const record = await findApplication(orm.em.fork(), id);
    expect(record).toMatchObject({ coverLetter: NASTY, resumeUrl: `https://example.com/${NASTY}`, stage: 'rejected', seq: 2 });
    expect(record!.history.map((h) => [h.by, h.reason])).toEqual([
      [NASTY, null],
      ['7', NASTY],
    ]);
    expect(await storedHex(`select ${hex('cover_letter')} as h from applications where id = ?`, [id])).toBe(hexOf(NASTY));
    expect(await storedHex(`select ${hex('reason')} as h from stage_events where application_id = ? and seq = 2`, [id])).toBe(hexOf(NASTY));
    // The repository's list reads with bound filters as well.
    expect((await listApplications(orm.em.fork(), { candidateId: candidate.id, limit: 10 })).map((a) => a.coverLetter)).toEqual([NASTY]);
    await noValueInSql();
  });

  test('MikroORM placeholders keep their meaning in execute and stream: `??` an identifier, `\\?` a literal, arrays a list', async () => {
    const rows = await orm.em
      .fork()
      .execute<{ v: string; q: string; n: number }[]>(
        "select ?? as v, '\\?' as q, (select count(*) from (select 1 as x union select 2 union select 3) as xs where x in (?)) as n from (select ? as ??) as t",
        ['col', [1, 3], NASTY, 'col'],
        'all',
      );
    expect(rows).toEqual([{ v: NASTY, q: '?', n: 2 }]);
    const streamed: unknown[] = [];
    for await (const row of orm.em.getConnection().stream('select ? as v union all select ?', [NASTY, 'b'])) streamed.push(row);
    expect(streamed).toEqual([{ v: NASTY }, { v: 'b' }]);
    await noValueInSql();
  });

  test('a `?` in a value MikroORM formats into a raw filter key takes no parameter (formatted twice before)', async () => {
    const em = orm.em.fork();
    const now = new Date().toISOString();
    const owner = em.create(UserSchema, {
      email: `o-${Date.now()}@example.com`,
      passwordHash: 'x',
      role: 'recruiter',
      fullName: null,
      active: true,
      createdAt: now,
      updatedAt: now,
    });
    await em.flush();
    const job = em.create(JobSchema, {
      title: 'What? Engineer',
      companyId: (await resolveCompany(em, { company: 'Co' })).id,
      description: null,
      location: null,
      status: 'open',
      createdBy: owner.id,
      createdAt: now,
      updatedAt: now,
    });
    await em.flush();
    // The query builder inlines a raw key's own parameters; the connection must then not read `'what?'` as a placeholder.
    const position = dialectOf(orm.em).position;
    const titled = (text: string) =>
      ({ [raw((alias) => `${position}(lower(${alias}.title), ?)`, [text])]: { $gt: 0 } }) as FilterQuery<Job>;
    const found = await orm.em
      .fork()
      .find(JobSchema, { $and: [titled('what?'), { status: 'open' }, { createdBy: owner.id }] }, { limit: 5 });
    expect(found.map((j) => j.id)).toEqual([job.id]);
  });

  (postgresql ? test : test.skip)(
    'PostgreSQL refuses a NUL in text as a refused value, and the statement around it stays intact',
    async () => {
      const em = orm.em.fork();
      const error = await em.execute('select ? as v', ['a\u0000b'], 'all').then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(Error);
      // A data exception (class 22) about the value, not a syntax error about the statement.
      expect(String((error as { code?: string }).code)).toMatch(/^22/);
      expect(refusedData(error)).toBe('value_refused');
    },
  );
});
