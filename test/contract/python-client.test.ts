import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expectSuccess, pythonTool, run, startContractStack, type ContractWorld } from '../support/contract';

/** A Python client generated from /openapi.json by openapi-python-client, used as its users would. */
describe('openapi-python-client', () => {
  let world: ContractWorld;
  let dir: string;
  let generation: { code: number; output: string };
  const pkg = () => path.join(dir, 'ats_client');

  beforeAll(async () => {
    world = await startContractStack();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-python-client-'));
    fs.writeFileSync(path.join(dir, 'openapi.json'), (await world.stack.http('GET', '/openapi.json')).text);
    generation = await run(
      pythonTool('openapi-python-client'),
      ['generate', '--path', 'openapi.json', '--output-path', 'ats_client', '--meta', 'none'],
      {
        cwd: dir,
        // Its post-generation hooks run ruff from the same venv.
        env: { PATH: `${path.dirname(pythonTool('ruff'))}:${process.env.PATH}` },
      },
    );
  }, 180_000);
  afterAll(async () => {
    await world?.stack.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('generates the client without a warning', () => {
    expectSuccess(generation, 'the generator');
    const warnings = generation.output.split('\n').filter((line) => /warn|error|could not|unable|skipp/i.test(line));
    expect(warnings).toEqual([]);
  });

  test('has a function for every operation in the document and every named schema as a model', async () => {
    const document = (await world.stack.http('GET', '/openapi.json')).body;
    const generated = new Set(
      fs
        .readdirSync(path.join(pkg(), 'api'), { recursive: true })
        .map(String)
        .filter((f) => f.endsWith('.py'))
        .map((f) => path.basename(f, '.py')),
    );
    const operations = Object.entries(document.paths as Record<string, Record<string, { operationId?: string }>>).flatMap(([route, ops]) =>
      Object.entries(ops)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map(([method, op]) => moduleName(method, route, op.operationId)),
    );
    expect(operations.filter((name) => !generated.has(name))).toEqual([]);
    expect(generated).toContain('patch_api_applications_id_stage');

    const models = new Set(fs.readdirSync(path.join(pkg(), 'models')).map((f) => path.basename(f, '.py')));
    // A named schema that is a plain string (a stage id) is a `str` in Python, not a model.
    const schemas = Object.entries(document.components.schemas as Record<string, { type?: string; enum?: unknown[] }>)
      .filter(([, schema]) => !(schema.type === 'string' && !schema.enum))
      .map(([name]) => snake(name));
    expect(schemas.filter((name) => !models.has(name))).toEqual([]);
    for (const model of ['application', 'application_page', 'stage_change', 'stage_change_request', 'job', 'token'])
      expect(models).toContain(model);
  });

  test('the generated code has no undefined names or other pyflakes errors (ruff, rules F)', async () => {
    expectSuccess(
      await run(pythonTool('ruff'), ['check', '--select', 'F', '--no-cache', '--output-format', 'concise', 'ats_client'], { cwd: dir }),
      'ruff',
    );
  });

  test('every generated module imports', async () => {
    const result = await run(
      pythonTool('python'),
      [
        '-c',
        [
          'import importlib, pkgutil, ats_client',
          'for m in pkgutil.walk_packages(ats_client.__path__, "ats_client."): importlib.import_module(m.name)',
        ].join('\n'),
      ],
      { env: { PYTHONPATH: dir } },
    );
    expectSuccess(result, 'importing the generated client');
  });

  test('signs in, applies and changes the stage through the generated client', async () => {
    const candidate = await world.stack.user('candidate');
    const result = await run(
      pythonTool('python'),
      [
        path.resolve(__dirname, 'clients/ats_flow.py'),
        world.stack.url,
        world.jobs.open,
        candidate.user.email,
        candidate.password,
        world.recruiter.user.email,
        world.recruiter.password,
      ],
      { env: { PYTHONPATH: dir } },
    );
    expectSuccess(result, 'the client');
    const application = JSON.parse(result.output.trim().split('\n').at(-1)!);
    expect(application).toMatchObject({
      jobId: world.jobs.open,
      candidateId: String(candidate.user.id),
      stage: 'screening',
      coverLetter: 'Hello from Python',
    });
    expect(application.history).toEqual([
      expect.objectContaining({ from: null, to: 'applied' }),
      expect.objectContaining({ from: 'applied', to: 'screening', reason: 'Strong portfolio', by: String(world.recruiter.user.id) }),
    ]);
    // What the client sent is what the API holds.
    expect((await world.stack.http('GET', `/api/applications/${application.id}`, { token: candidate.token })).body).toMatchObject({
      stage: 'screening',
    });
  }, 60_000);
});

/** openapi-python-client's module name for an operation: its operationId, else method and path. */
function moduleName(method: string, route: string, operationId?: string): string {
  return snake(operationId ?? `${method}_${route}`);
}

function snake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
    .toLowerCase();
}
