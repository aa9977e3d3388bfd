import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  runSchemathesis,
  SCHEMATHESIS_MAX_EXAMPLES as MAX_EXAMPLES,
  SCHEMATHESIS_SEED as SEED,
  startContractStack,
  type ContractWorld,
} from '../support/contract';
import { writeFindings } from '../support/schemathesis-report';

/**
 * Independent fuzzing: schemathesis derives requests from /openapi.json and checks every answer
 * against it (status codes, content types, headers, schemas, that invalid input is refused and valid
 * input accepted, 405 with Allow, auth). A fixed seed and example count keep the run reproducible.
 */
describe('schemathesis against the running API', () => {
  let world: ContractWorld;
  beforeAll(async () => {
    world = await startContractStack();
  }, 120_000);
  const runs = new Map<string, { exit: number; output: string }>();
  afterAll(async () => {
    writeFindings(
      runs,
      `st run <stack>/openapi.json --checks all --seed ${SEED} --max-examples ${MAX_EXAMPLES}, ${new Date().toISOString()}`,
    );
    await world?.stack.close();
  });

  const roles = ['anonymous', 'candidate', 'recruiter', 'hiringManager', 'admin'] as const;
  test.each(roles)(
    'finds no failure as %s',
    async (role) => {
      const token = role === 'anonymous' ? undefined : world[role].token;
      const result = await runSchemathesis(`${world.stack.url}/openapi.json`, token ? ['-H', `Authorization: Bearer ${token}`] : []);
      runs.set(role, { exit: result.code, output: result.output });
      if (result.code !== 0) console.log(`schemathesis as ${role} (exit ${result.code}):\n${result.output}`);
      expect({ role, exit: result.code }).toEqual({ role, exit: 0 });
    },
    300_000,
  );

  test('fails on an answer that does not match its documented schema', async () => {
    const document = (await world.stack.http('GET', '/openapi.json')).body;
    // The same document, except that it promises a user's `email` is a number.
    const me = document.paths['/api/auth/me'].get.responses['200'].content['application/json'].schema;
    const user = me.$ref ? document.components.schemas[me.$ref.split('/').pop()] : me;
    const userSchema = user.properties.user.$ref
      ? document.components.schemas[user.properties.user.$ref.split('/').pop()]
      : user.properties.user;
    userSchema.properties.email = { type: 'integer' };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ats-broken-')), 'openapi.json');
    fs.writeFileSync(file, JSON.stringify(document));

    // A user of its own: the admin's fuzzing may have deactivated or demoted the seeded ones.
    const reader = await world.stack.user('candidate');
    const result = await runSchemathesis(file, [
      '--url',
      world.stack.url,
      '--include-path',
      '/api/auth/me',
      '--include-method',
      'GET',
      '-H',
      `Authorization: Bearer ${reader.token}`,
    ]);
    expect({ exit: result.code, violation: /Response violates schema/.test(result.output) ? 'reported' : result.output }).toEqual({
      exit: 1,
      violation: 'reported',
    });
  }, 300_000);

  test('a fuzzer that sends an Idempotency-Key again after deleting what it created gets the replay, and a 404 behind it; fresh keys do not', async () => {
    // The replay is the contract (Stripe's and the IETF draft's): the same key and request answer the
    // first 201 again, even for a job deleted since. Here every job creation carries the same key and
    // body, as hypothesis' short keys and re-run scenarios do by chance; the stateful phase creates,
    // deletes, then creates "again" and follows the replayed 201 to a 404. The suite's hooks give each
    // request a fresh key, as a real client does per operation, and the same run passes.
    const document = (await world.stack.http('GET', '/openapi.json')).body;
    const create = document.paths['/api/jobs'].post;
    const key = create.parameters.find((p: { name: string }) => p.name === 'Idempotency-Key');
    Object.assign(key, { required: true, schema: { type: 'string', const: 'the-same-key' } });
    create.requestBody.content['application/json'].schema = {
      type: 'object',
      const: { title: 'Replayed job', company: 'TechCorp', status: 'draft' },
    };
    const { get, delete: remove } = document.paths['/api/jobs/{id}'];
    document.paths = { '/api/jobs': { post: create }, '/api/jobs/{id}': { get, delete: remove } };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ats-replay-')), 'openapi.json');
    fs.writeFileSync(file, JSON.stringify(document));

    const run = async (hooks: boolean) => {
      // A recruiter of its own per run: keys are per user, so the two runs cannot share a stored answer.
      const recruiter = await world.stack.user('recruiter');
      const result = await runSchemathesis(
        file,
        ['--url', world.stack.url, '--phases', 'stateful', '--mode', 'positive', '-H', `Authorization: Bearer ${recruiter.token}`],
        { checks: 'ensure_resource_availability', hooks },
      );
      return { exit: result.code, createdNotFound: /ST302|Created resource not found/.test(result.output), output: result.output };
    };
    const sameKey = await run(false);
    expect({ exit: sameKey.exit, createdNotFound: sameKey.createdNotFound }).toEqual({ exit: 1, createdNotFound: true });
    const freshKeys = await run(true);
    if (freshKeys.exit !== 0) console.log(freshKeys.output);
    expect({ exit: freshKeys.exit, createdNotFound: freshKeys.createdNotFound }).toEqual({ exit: 0, createdNotFound: false });
  }, 300_000);
});
