import { startStack, type TestStack } from '../support/stack';

/** The application routes document themselves from the same schemas that validate them. */
describe('applications in the OpenAPI document', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  test('every application operation is described, with its answers', async () => {
    const { status, body } = await stack.http('GET', '/openapi.json');
    expect(status).toBe(200);
    const ops = {
      apply: body.paths['/api/jobs/{id}/apply']?.post,
      list: body.paths['/api/applications']?.get,
      get: body.paths['/api/applications/{id}']?.get,
      stage: body.paths['/api/applications/{id}/stage']?.patch,
      withdraw: body.paths['/api/applications/{id}/withdraw']?.post,
    };
    for (const [name, op] of Object.entries(ops)) expect({ name, described: Boolean(op) }).toEqual({ name, described: true });
    expect(Object.keys(ops.apply.responses)).toEqual(expect.arrayContaining(['201', '401', '403', '404', '409', '422']));
    expect(ops.apply.description).toContain('closing a job does not strand');
    expect(Object.keys(ops.stage.responses)).toEqual(expect.arrayContaining(['200', '403', '404', '409', '422']));
    expect(ops.list.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['jobId', 'stage', 'limit', 'cursor']));
    // Stage ids are the pinned pipeline's (a-z0-9_-); the default pipeline's are named in the description.
    expect(body.components.schemas.Stage).toMatchObject({ type: 'string', pattern: '^[a-z0-9_-]{1,40}$' });
    for (const id of ['applied', 'screening', 'interview', 'offer', 'hired', 'rejected'])
      expect(body.components.schemas.Stage.description).toContain(id);
    expect(Object.keys(body.components.schemas.Application.properties)).toEqual(
      expect.arrayContaining([
        'id',
        'jobId',
        'candidateId',
        'stage',
        'pipelineVersion',
        'history',
        'workflowId',
        'workflowUrl',
        'createdAt',
        'updatedAt',
      ]),
    );
  });
});
