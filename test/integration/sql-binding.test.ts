import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MikroORM, raw, type FilterQuery } from '@mikro-orm/sql';
import { migrateUp, ormConfig } from '../../src/db/orm';
import { UserSchema } from '../../src/db/entities/user.entity';
import { CompanySchema } from '../../src/db/entities/company.entity';
import { resolveCompany } from '../../src/companies/companies';
import { JobSchema, type Job } from '../../src/db/entities/job.entity';
import { projectApplication } from '../../src/applications/application-projection';
import { findApplication, listApplications } from '../../src/applications/application-repository';

/**
 * Every value reaches SQLite as a bound parameter, never as text of the statement: what is written
 * on each write path reads back byte for byte, including characters that end or change a literal.
 */
describe('values are bound, never formatted into SQL', () => {
  // NUL ends a string literal in SQLite's tokenizer; the rest are what quoting and `?` scanning must survive.
  const NASTY = "a\u0000b ' '' \" ? ?? \\? -- /* */ ; \\ é 😀 needle-7f3";
  let dir: string;
  let orm: MikroORM;
  const statements: string[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-binding-'));
    const config = ormConfig(path.join(dir, 'ats.db'));
    orm = await MikroORM.init({ ...config, onQuery: (sql: string) => { statements.push(sql); return sql; } });
    await migrateUp(orm);
  });
  afterAll(async () => {
    await orm?.close(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => { statements.length = 0; });

  /** The bytes SQLite holds, as hex: `length()` and friends stop at a NUL, `hex()` does not. */
  const storedHex = async (sql: string, params: unknown[]) => {
    const [row] = await orm.em.fork().execute<{ h: string }[]>(sql, params, 'all');
    return row.h;
  };
  const hexOf = (text: string) => Buffer.from(text, 'utf8').toString('hex').toUpperCase();
  const noValueInSql = () => expect(statements.filter((s) => s.includes('needle-7f3'))).toEqual([]);

  test('an entity flush (insert and update) stores the value byte-identical', async () => {
    const em = orm.em.fork();
    const now = new Date().toISOString();
    const user = em.create(UserSchema, { email: `u-${Date.now()}@example.com`, passwordHash: 'x', role: 'recruiter', fullName: NASTY, active: true, createdAt: now, updatedAt: now });
    await em.flush();
    const company = em.create(CompanySchema, { name: `${NASTY} co`, website: null, createdAt: now });
    await em.flush();
    const job = em.create(JobSchema, { title: NASTY, companyId: company.id, description: null, location: null, status: 'open', createdBy: user.id, createdAt: now, updatedAt: now });
    await em.flush();
    job.description = `${NASTY} described`;
    await em.flush();

    const read = orm.em.fork();
    expect((await read.findOneOrFail(UserSchema, user.id)).fullName).toBe(NASTY);
    const stored = await read.findOneOrFail(JobSchema, job.id);
    expect([stored.title, stored.description]).toEqual([NASTY, `${NASTY} described`]);
    expect((await read.findOneOrFail(CompanySchema, company.id)).name).toBe(`${NASTY} co`);
    expect(await storedHex('select hex(title) as h from jobs where id = ?', [job.id])).toBe(hexOf(NASTY));
    // A value in a query's filter is bound too, and matches exactly.
    expect((await orm.em.fork().find(JobSchema, { title: NASTY })).map((j) => j.id)).toEqual([job.id]);
    noValueInSql();
  });

  test('the projection (em.execute with parameters) stores cover letter, actor and reason byte-identical', async () => {
    const em = orm.em.fork();
    const at = new Date().toISOString();
    const candidate = em.create(UserSchema, { email: `c-${Date.now()}@example.com`, passwordHash: 'x', role: 'candidate', fullName: null, active: true, createdAt: at, updatedAt: at });
    await em.flush();
    const job = em.create(JobSchema, { title: 'Job', companyId: (await resolveCompany(em, { company: 'Co' })).id, description: null, location: null, status: 'open', createdBy: candidate.id, createdAt: at, updatedAt: at });
    await em.flush();
    const id = `application-binding-${job.id}`;
    statements.length = 0;
    const wrote = await projectApplication(orm, {
      application: { id, jobId: String(job.id), candidateId: String(candidate.id), coverLetter: NASTY, resumeUrl: `https://example.com/${NASTY}`, createdAt: at },
      history: [
        { seq: 1, from: null, to: 'applied', at, by: NASTY, reason: null },
        { seq: 2, from: 'applied', to: 'rejected', at, by: '7', reason: NASTY },
      ],
    });
    expect(wrote).toBe(true);
    const record = await findApplication(orm.em.fork(), id);
    expect(record).toMatchObject({ coverLetter: NASTY, resumeUrl: `https://example.com/${NASTY}`, stage: 'rejected', seq: 2 });
    expect(record!.history.map((h) => [h.by, h.reason])).toEqual([[NASTY, null], ['7', NASTY]]);
    expect(await storedHex('select hex(cover_letter) as h from applications where id = ?', [id])).toBe(hexOf(NASTY));
    expect(await storedHex('select hex(reason) as h from stage_events where application_id = ? and seq = 2', [id])).toBe(hexOf(NASTY));
    // The repository's list reads with bound filters as well.
    expect((await listApplications(orm.em.fork(), { candidateId: candidate.id, limit: 10 })).map((a) => a.coverLetter)).toEqual([NASTY]);
    noValueInSql();
  });

  test('MikroORM placeholders keep their meaning in execute and stream: `??` an identifier, `\\?` a literal, arrays a list', async () => {
    const rows = await orm.em.fork().execute<{ v: string; q: string; n: number }[]>(
      "select ?? as v, '\\?' as q, (select count(*) from (select 1 as x union select 2 union select 3) where x in (?)) as n from (select ? as ??)",
      ['col', [1, 3], NASTY, 'col'],
      'all',
    );
    expect(rows).toEqual([{ v: NASTY, q: '?', n: 2 }]);
    const streamed: unknown[] = [];
    for await (const row of orm.em.getConnection().stream('select ? as v union all select ?', [NASTY, 'b'])) streamed.push(row);
    expect(streamed).toEqual([{ v: NASTY }, { v: 'b' }]);
  });

  test('a `?` in a value MikroORM formats into a raw filter key takes no parameter (formatted twice before)', async () => {
    const em = orm.em.fork();
    const now = new Date().toISOString();
    const owner = em.create(UserSchema, { email: `o-${Date.now()}@example.com`, passwordHash: 'x', role: 'recruiter', fullName: null, active: true, createdAt: now, updatedAt: now });
    await em.flush();
    const job = em.create(JobSchema, { title: 'What? Engineer', companyId: (await resolveCompany(em, { company: 'Co' })).id, description: null, location: null, status: 'open', createdBy: owner.id, createdAt: now, updatedAt: now });
    await em.flush();
    // The query builder inlines a raw key's own parameters; the connection must then not read `'what?'` as a placeholder.
    const titled = (text: string) => ({ [raw((alias) => `instr(lower(${alias}.title), ?)`, [text])]: { $gt: 0 } }) as FilterQuery<Job>;
    const found = await orm.em.fork().find(JobSchema, { $and: [titled('what?'), { status: 'open' }, { createdBy: owner.id }] }, { limit: 5 });
    expect(found.map((j) => j.id)).toEqual([job.id]);
  });
});
