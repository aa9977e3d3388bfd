import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { POSTMAN_COLLECTION_FILE, serializeCollection, toPostmanCollection } from '../../scripts/postman-collection';
import { startContractStack, type ContractWorld } from '../support/contract';

interface NewmanSummary {
  run: {
    stats: { requests: { total: number }; assertions: { total: number; failed: number } };
    failures: { error: { name: string; message: string; test?: string }; source?: { name?: string } }[];
    executions: { item: { name: string }; response?: { code: number } }[];
  };
}
const NEWMAN = path.resolve(__dirname, '../..', 'node_modules/newman/bin/newman.js');

const committedFile = path.resolve(__dirname, '../..', POSTMAN_COLLECTION_FILE);

describe('the Postman collection', () => {
  let world: ContractWorld;
  beforeAll(async () => {
    world = await startContractStack();
  }, 120_000);
  afterAll(async () => {
    await world?.stack.close();
  });

  test('the committed collection is what the current /openapi.json generates (run `npm run postman` after a contract change)', async () => {
    const document = (await world.stack.http('GET', '/openapi.json')).body;
    expect(fs.readFileSync(committedFile, 'utf8')).toBe(serializeCollection(toPostmanCollection(document)));
  });

  test('GET /postman.json serves it, with a sign-in that stores the token and bearer auth for the rest', async () => {
    const res = await world.stack.http('GET', '/postman.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual(JSON.parse(fs.readFileSync(committedFile, 'utf8')));
    expect(res.body.auth).toEqual({ type: 'bearer', bearer: [{ key: 'token', value: '{{accessToken}}', type: 'string' }] });
    expect(res.body.item[0].name).toBe('Sign in');
    expect(res.body.item[0].event[0].script.exec.join('\n')).toContain(
      "pm.collectionVariables.set('accessToken', pm.response.json().access_token)",
    );
    expect(res.body.variable.map((v: { key: string }) => v.key)).toEqual(
      expect.arrayContaining(['baseUrl', 'email', 'password', 'accessToken']),
    );
    const post = await world.stack.http('POST', '/postman.json');
    expect({ status: post.status, allow: post.headers.get('allow') }).toEqual({ status: 405, allow: expect.stringContaining('GET') });
  });

  /**
   * newman's own command in a process of its own, as a user runs it: its script sandbox and the
   * in-process Temporal worker's workflow sandbox must not share one V8 (their promise hooks meet).
   * Its JSON report is the run summary; the exit code only says whether something failed.
   */
  const runNewman = async (collection: object, variables: Record<string, string>) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-newman-'));
    try {
      const file = path.join(dir, 'collection.json');
      const report = path.join(dir, 'report.json');
      fs.writeFileSync(file, JSON.stringify(collection));
      const vars = Object.entries(variables).flatMap(([key, value]) => ['--env-var', `${key}=${value}`]);
      await new Promise<void>((resolve) => {
        execFile(
          process.execPath,
          [NEWMAN, 'run', file, ...vars, '--reporters', 'json', '--reporter-json-export', report, '--timeout-request', '30000'],
          { env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 16 * 1024 * 1024 },
          () => resolve(),
        );
      });
      if (!fs.existsSync(report)) throw new Error('newman wrote no report');
      return JSON.parse(fs.readFileSync(report, 'utf8')) as NewmanSummary;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  const committed = () => JSON.parse(fs.readFileSync(committedFile, 'utf8'));

  const roles = ['candidate', 'recruiter', 'admin'] as const;
  test.each(roles)(
    'newman runs it green against the running API, signed in as %s',
    async (role) => {
      const actor = world[role];
      const spare = await world.stack.user('candidate');
      const summary = await runNewman(committed(), {
        baseUrl: world.stack.url,
        email: actor.user.email,
        password: actor.password,
        jobId: world.jobs.open,
        applicationId: world.applications.mine,
        userId: String(spare.user.id),
        companyId: '1',
      });
      const failures = summary.run.failures.map((f) => `${f.source?.name}: ${f.error.test ?? f.error.name}: ${f.error.message}`);
      expect(failures).toEqual([]);
      // Every request ran and was checked; the sign-in's token reached the others.
      expect(summary.run.stats.requests.total).toBeGreaterThan(15);
      expect(summary.run.stats.assertions.total).toBe(summary.run.stats.requests.total);
      const me = summary.run.executions.find((e) => e.item.name === 'The signed-in user');
      expect(me?.response?.code).toBe(200);
    },
    120_000,
  );

  test('newman reports an answer the document does not list, and a failed sign-in', async () => {
    const spare = await world.stack.user('candidate');
    const variables = { baseUrl: world.stack.url, email: spare.user.email, password: spare.password };
    const collection = committed();
    // The same collection, except that "The signed-in user" is told 200 is not among its answers.
    const me = collection.item
      .flatMap((folder: { item?: object[] }) => folder.item ?? [])
      .find((i: { name: string }) => i.name === 'The signed-in user');
    me.event[0].script.exec = [me.event[0].script.exec[0].replace(/\[[^\]]*\]/, '[401]')];
    const changed = await runNewman(collection, variables);
    expect(changed.run.failures.map((f) => f.source?.name)).toEqual(['The signed-in user']);

    const wrongPassword = await runNewman(committed(), { ...variables, password: 'not-the-password' });
    expect(wrongPassword.run.failures.map((f) => f.error.test)).toContain('signed in');
  }, 120_000);
});
