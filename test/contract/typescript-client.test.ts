import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expectSuccess, run, startContractStack, type ContractWorld } from '../support/contract';

const ROOT = path.resolve(__dirname, '../..');

/** Sign-in, apply and a stage change with openapi-fetch over the types openapi-typescript generates. */
const FLOW = `import createClient from 'openapi-fetch';
import type { components, paths } from './ats-api.ts';

type StageChange = components['schemas']['StageChange'];
// The first history entry, as the server sends it.
const first: StageChange = { from: null, to: 'applied', at: '2026-01-01T00:00:00.000Z', by: '1', byName: 'Ada Candidate', reason: null };

const [baseUrl, jobId, candidateEmail, candidatePassword, recruiterEmail, recruiterPassword] = process.argv.slice(2);

async function signIn(email: string, password: string): Promise<string> {
  const { data, error } = await createClient<paths>({ baseUrl }).POST('/api/auth/login', { body: { email, password } });
  if (!data) throw new Error('sign-in failed: ' + JSON.stringify(error));
  const type: 'bearer' = data.token_type;
  return type === 'bearer' ? data.access_token : '';
}

const candidate = createClient<paths>({ baseUrl, headers: { Authorization: 'Bearer ' + await signIn(candidateEmail, candidatePassword) } });
const applied = await candidate.POST('/api/jobs/{id}/apply', {
  params: { path: { id: jobId } },
  body: { coverLetter: 'Hello from TypeScript', resumeUrl: 'https://example.com/cv.pdf' },
});
if (!applied.data) throw new Error('apply failed: ' + JSON.stringify(applied.error));

const recruiter = createClient<paths>({ baseUrl, headers: { Authorization: 'Bearer ' + await signIn(recruiterEmail, recruiterPassword) } });
const moved = await recruiter.PATCH('/api/applications/{id}/stage', {
  params: { path: { id: applied.data.id } },
  body: { stage: 'screening', reason: 'Strong portfolio' },
});
if (!moved.data) throw new Error('stage change failed: ' + JSON.stringify(moved.error));
const history: StageChange[] = moved.data.history;
console.log(JSON.stringify({ application: moved.data, firstMatches: history[0].from === first.from }));
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'es2023',
    lib: ['es2023', 'dom'],
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    skipLibCheck: true,
    types: ['node'],
  },
  include: ['*.ts', '*.mts'],
};

describe('openapi-typescript and openapi-fetch', () => {
  let world: ContractWorld;
  let dir: string;
  let generation: { code: number; output: string };

  beforeAll(async () => {
    world = await startContractStack();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-ts-client-'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    fs.writeFileSync(path.join(dir, 'openapi.json'), (await world.stack.http('GET', '/openapi.json')).text);
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    generation = await run(
      process.execPath,
      [path.join(ROOT, 'node_modules/openapi-typescript/bin/cli.js'), 'openapi.json', '--output', 'ats-api.ts'],
      { cwd: dir },
    );
  }, 120_000);
  afterAll(async () => {
    await world?.stack.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const typecheck = () => run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: dir });

  test('generates types from /openapi.json', () => {
    expectSuccess(generation, 'the generator');
    expect(fs.readFileSync(path.join(dir, 'ats-api.ts'), 'utf8')).toContain('"/api/applications/{id}/stage"');
  });

  test('a client that signs in, applies and changes the stage type-checks against them, and works', async () => {
    fs.writeFileSync(path.join(dir, 'flow.mts'), FLOW);
    const check = await typecheck();
    expect({ exit: check.code, output: check.output }).toEqual({ exit: 0, output: '' });

    const candidate = await world.stack.user('candidate');
    const result = await run(
      process.execPath,
      [
        '--no-warnings',
        path.join(dir, 'flow.mts'),
        world.stack.url,
        world.jobs.open,
        candidate.user.email,
        candidate.password,
        world.recruiter.user.email,
        world.recruiter.password,
      ],
      { cwd: dir },
    );
    expectSuccess(result, 'the client');
    const { application, firstMatches } = JSON.parse(result.output.trim().split('\n').at(-1)!);
    expect(firstMatches).toBe(true);
    expect(application).toMatchObject({
      jobId: world.jobs.open,
      candidateId: String(candidate.user.id),
      stage: 'screening',
      coverLetter: 'Hello from TypeScript',
    });
    expect(application.history.map((h: { from: string | null; to: string }) => [h.from, h.to])).toEqual([
      [null, 'applied'],
      ['applied', 'screening'],
    ]);
  }, 120_000);

  test('the generated types admit the answers the server really gives', async () => {
    const { stack, admin, candidate, recruiter, jobs, applications } = world;
    const answers: [string, string, number, string | undefined][] = [
      [
        '/api/applications/{id}',
        'get',
        200,
        (await stack.http('GET', `/api/applications/${applications.mine}`, { token: candidate.token })).text,
      ],
      ['/api/applications', 'get', 200, (await stack.http('GET', '/api/applications', { token: recruiter.token })).text],
      ['/api/jobs', 'get', 200, (await stack.http('GET', '/api/jobs')).text],
      ['/api/jobs/{id}', 'get', 200, (await stack.http('GET', `/api/jobs/${jobs.draft}`, { token: recruiter.token })).text],
      ['/api/jobs/{id}', 'get', 404, (await stack.http('GET', `/api/jobs/${jobs.draft}`)).text],
      ['/api/auth/me', 'get', 200, (await stack.http('GET', '/api/auth/me', { token: candidate.token })).text],
      [
        '/api/auth/login',
        'post',
        200,
        (await stack.http('POST', '/api/auth/login', { body: { email: candidate.user.email, password: candidate.password } })).text,
      ],
      ['/api/users', 'get', 200, (await stack.http('GET', '/api/users', { token: admin.token })).text],
      ['/api/companies', 'get', 200, (await stack.http('GET', '/api/companies')).text],
      ['/api/companies/{id}', 'get', 200, (await stack.http('GET', '/api/companies/1')).text],
      ['/', 'get', 200, (await stack.http('GET', '/')).text],
      ['/api/auth/me', 'get', 401, (await stack.http('GET', '/api/auth/me')).text],
      ['/api/jobs', 'get', 422, (await stack.http('GET', '/api/jobs?limit=0')).text],
      [
        '/api/jobs/{id}/apply',
        'post',
        409,
        (await stack.http('POST', `/api/jobs/${jobs.open}/apply`, { token: candidate.token, body: {} })).text,
      ],
      [
        '/api/applications/{id}/stage',
        'patch',
        409,
        (await stack.http('PATCH', `/api/applications/${applications.mine}/stage`, { token: recruiter.token, body: { stage: 'hired' } }))
          .text,
      ],
    ];
    const lines = answers.map(([route, method, status, body], i) => {
      const media = status < 400 ? 'application/json' : 'application/problem+json';
      return `export const answer${i}: paths['${route}']['${method}']['responses'][${status}]['content']['${media}'] = ${body};`;
    });
    fs.writeFileSync(path.join(dir, 'answers.mts'), `import type { paths } from './ats-api.ts';\n${lines.join('\n')}\n`);
    const check = await typecheck();
    expect({ exit: check.code, output: check.output }).toEqual({ exit: 0, output: '' });
  }, 60_000);
});
