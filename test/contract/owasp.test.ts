import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import { UserSchema } from '../../src/db/entities/user.entity';
import { startContractStack, type ContractWorld } from '../support/contract';

type Operation = {
  method: string;
  path: string;
  op: {
    requestBody?: { content: Record<string, { schema: { $ref?: string; properties?: object } }> };
    parameters?: { name: string; in: string }[];
  };
};

/** OWASP API Security Top 10 (2023): the risks a REST API like this one can show, each tried for real. */
describe('OWASP API Top 10', () => {
  let world: ContractWorld;
  let document: {
    paths: Record<string, Record<string, Operation['op']>>;
    components: { schemas: Record<string, { properties?: object }> };
  };
  let operations: Operation[];

  beforeAll(async () => {
    world = await startContractStack();
    document = (await world.stack.http('GET', '/openapi.json')).body;
    operations = Object.entries(document.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
    );
  }, 120_000);
  afterAll(async () => {
    await world?.stack.close();
  });

  const http = (...args: Parameters<ContractWorld['stack']['http']>) => world.stack.http(...args);
  /** The path with `id` in its first parameter, and `second` (or `id`) in a second one (`{userId}`). */
  const fill = (path: string, id: string, second?: string) => path.replace(/\{\w+\}/, id).replace(/\{\w+\}/, second ?? id);

  describe('API1 broken object-level authorization', () => {
    /** Someone else's object behind every route with an ID, and a body the route would otherwise take. */
    const targets = (
      w: ContractWorld,
    ): Record<string, { id: string; second?: string; body?: unknown; public?: string[]; adminOnly?: boolean }> => ({
      '/api/applications/{id}': { id: w.applications.others },
      '/api/applications/{id}/stage': { id: w.applications.others, body: { stage: 'screening' } },
      '/api/applications/{id}/withdraw': { id: w.applications.others },
      '/api/applications/{id}/reopen': { id: w.applications.others, body: { stage: 'applied', reason: 'Hijacked' } },
      '/api/applications/{id}/notes': { id: w.applications.others, body: { body: 'Hijacked' } },
      '/api/notes/{id}': { id: '1' },
      '/api/applications/{id}/interviews': {
        id: w.applications.others,
        body: {
          title: 'Hijacked',
          startsAt: '2099-01-01T10:00:00Z',
          endsAt: '2099-01-01T11:00:00Z',
          interviewerIds: [String(w.recruiter.user.id)],
        },
      },
      '/api/interviews/{id}': { id: w.interviews.others, body: { title: 'Hijacked' } },
      '/api/interviews/{id}/cancel': { id: w.interviews.others },
      '/api/interviews/{id}/scorecard': { id: w.interviews.others, body: { recommendation: 'strong_yes' } },
      '/api/applications/{id}/scorecards': { id: w.applications.others },
      // A draft job is not on the job board: a candidate must not see or touch it.
      '/api/jobs/{id}': { id: w.jobs.draft, body: { title: 'Hijacked' } },
      '/api/jobs/{id}/apply': { id: w.jobs.draft, body: {} },
      '/api/users/{id}': { id: String(w.otherCandidate.user.id), body: { role: 'admin' } },
      '/api/companies/{id}': { id: '1', body: { name: 'Hijacked' }, public: ['GET'] },
      '/api/jobs/{id}/team': { id: w.jobs.draft, body: { userId: String(w.otherRecruiter.user.id) } },
      '/api/jobs/{id}/team/{userId}': { id: w.jobs.draft, second: String(w.recruiter.user.id) },
      '/api/jobs/{id}/pipeline': { id: w.jobs.draft, body: { stages: [] } },
      '/api/jobs/{id}/pipeline/migrations': { id: w.jobs.draft, body: { fromVersion: 1, toVersion: 2, stageMap: {} } },
      '/api/jobs/{id}/pipeline/migrations/{migrationId}': { id: w.jobs.draft, second: 'migration-aaaaaaaaaa' },
      '/api/users/{id}/export': { id: String(w.otherCandidate.user.id) },
      // Candidates are staff's view of a person: another candidate (and the caller themself) is a 404.
      '/api/candidates/{id}': { id: String(w.otherCandidate.user.id) },
      '/api/users/{id}/erase': { id: String(w.otherCandidate.user.id) },
      // Payloads of every namespace are staff's only.
      '/codec/{namespace}/decode': { id: 'default', body: { payloads: [] } },
      '/codec/{namespace}/encode': { id: 'default', body: { payloads: [] } },
      // Webhook subscriptions are admins' alone: every other role is turned away before any lookup.
      '/api/webhooks/{id}': { id: '1', body: { active: false }, adminOnly: true },
      '/api/webhooks/{id}/rotate-secret': { id: '1', adminOnly: true },
      '/api/webhooks/{id}/deliveries': { id: '1', adminOnly: true },
      '/api/webhooks/{id}/deliveries/{deliveryId}/redeliver': { id: '1', second: '1', adminOnly: true },
    });

    test("a candidate reaches no other person's object on any route with an ID, and changes nothing", async () => {
      const table = targets(world);
      const withIds = operations.filter((o) => o.path.includes('{'));
      expect(withIds.map((o) => o.path).filter((p) => !table[p])).toEqual([]);
      const before = await snapshot();
      const answers = [];
      for (const { method, path } of withIds) {
        const target = table[path];
        if (target.public?.includes(method)) continue;
        const res = await http(method, fill(path, target.id, target.second), {
          token: world.candidate.token,
          body: method === 'GET' || method === 'DELETE' ? undefined : (target.body ?? {}),
        });
        answers.push({ route: `${method} ${path}`, status: res.status, adminOnly: target.adminOnly === true });
      }
      // A draft job is not published: applying to it answers 404 like reading it, or its ID could be probed.
      expect(answers.filter((a) => ![403, 404].includes(a.status))).toEqual([]);
      // The other candidate's own application and the draft job stay invisible, so their IDs cannot be probed.
      // (A route for admins alone answers 403 to every other role before it looks anything up: nothing to probe.)
      const reads = answers.filter((a) => a.route.startsWith('GET ') && !a.adminOnly);
      expect(reads.map((a) => a.status)).toEqual(reads.map(() => 404));
      expect(answers.filter((a) => a.adminOnly).map((a) => a.status)).toEqual(answers.filter((a) => a.adminOnly).map(() => 403));
      expect(await snapshot()).toEqual(before);
    });

    test('a recruiter off the hiring team can neither read nor move an application', async () => {
      const before = await snapshot();
      expect((await http('GET', `/api/applications/${world.applications.mine}`, { token: world.otherRecruiter.token })).status).toBe(404);
      const move = await http('PATCH', `/api/applications/${world.applications.mine}/stage`, {
        token: world.otherRecruiter.token,
        body: { stage: 'interview' },
      });
      expect([403, 404]).toContain(move.status);
      const list = await http('GET', `/api/applications?jobId=${world.jobs.open}`, { token: world.otherRecruiter.token });
      expect(list.body.items).toEqual([]);
      expect(await snapshot()).toEqual(before);
    });

    test('an anonymous caller gets 401 on every route that needs a token', async () => {
      const table = targets(world);
      const routes = operations.filter(
        (o) => o.path.startsWith('/api/applications') || (o.method !== 'GET' && !o.path.startsWith('/api/auth/')),
      );
      const answers = [];
      for (const { method, path } of routes) {
        const res = await http(method, path.includes('{') ? fill(path, table[path]?.id ?? '1') : path, {
          body: method === 'GET' || method === 'DELETE' ? undefined : (table[path]?.body ?? {}),
        });
        answers.push({ route: `${method} ${path}`, status: res.status, challenge: res.headers.get('www-authenticate') });
      }
      expect(answers.filter((a) => a.status !== 401 || !/^Bearer/.test(a.challenge ?? ''))).toEqual([]);
    });
  });

  describe('API2 broken authentication', () => {
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    /** The claims of the admin's real token (`pwv` binds it to the password), with fresh times. */
    const real = () => {
      const { iat: _iat, exp: _exp, sub: _sub, ...rest } = JSON.parse(Buffer.from(world.admin.token.split('.')[1], 'base64url').toString());
      return rest as Record<string, unknown>;
    };
    const claims = () => ({
      ...real(),
      sub: String(world.admin.user.id),
      role: 'admin',
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + 3600,
    });
    const refused = async (token: string) => {
      for (const path of ['/api/auth/me', '/api/users']) {
        const res = await http('GET', path, { token });
        expect({ path, status: res.status, challenge: res.headers.get('www-authenticate')?.split(' ')[0] }).toEqual({
          path,
          status: 401,
          challenge: 'Bearer',
        });
      }
    };

    test('a token signed with the server key is taken (the forgeries below differ only in what they forge)', async () => {
      const token = jwt.sign({ ...real(), role: 'admin' }, world.stack.config.auth.secretKey, {
        algorithm: 'HS256',
        subject: String(world.admin.user.id),
        expiresIn: 60,
      });
      expect((await http('GET', '/api/users', { token })).status).toBe(200);
    });

    test('alg: none', async () => {
      await refused(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`);
      await refused(`${b64({ alg: 'None', typ: 'JWT' })}.${b64(claims())}.`);
    });

    test('RS256, and HS256 keyed with the RSA public key (algorithm confusion)', async () => {
      const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      await refused(jwt.sign(claims(), privateKey, { algorithm: 'RS256' }));
      const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims())}`;
      await refused(`${unsigned}.${crypto.createHmac('sha256', publicPem).update(unsigned).digest('base64url')}`);
    });

    test("a candidate's token with its payload changed to admin", async () => {
      const [header, payload, signature] = world.candidate.token.split('.');
      const forged = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'admin', sub: String(world.admin.user.id) };
      expect(b64(forged)).not.toBe(payload);
      await refused(`${header}.${b64(forged)}.${signature}`);
    });

    test('an expired token, and one signed with another key', async () => {
      await refused(
        jwt.sign({ ...real(), role: 'admin' }, world.stack.config.auth.secretKey, {
          algorithm: 'HS256',
          subject: String(world.admin.user.id),
          expiresIn: -60,
        }),
      );
      await refused(
        jwt.sign({ ...real(), role: 'admin' }, 'another-secret-key-that-is-long-enough-0123456789', {
          algorithm: 'HS256',
          subject: String(world.admin.user.id),
          expiresIn: 60,
        }),
      );
    });

    test("a deactivated user's token stops working at once", async () => {
      const user = await world.stack.user('recruiter');
      expect((await http('GET', '/api/auth/me', { token: user.token })).status).toBe(200);
      expect((await http('PATCH', `/api/users/${user.user.id}`, { token: world.admin.token, body: { active: false } })).status).toBe(200);
      const me = await http('GET', '/api/auth/me', { token: user.token });
      expect(me.status).toBe(401);
      expect((await http('POST', '/api/jobs', { token: user.token, body: { title: 'Still here', company: 'TechCorp' } })).status).toBe(401);
    });
  });

  describe('API3 broken object property level authorization (mass assignment)', () => {
    const FORBIDDEN = ['role', 'id', 'stage', 'candidateId', 'createdBy'];

    /** A valid body for every write, by whom, and what must stay as it was when the body is refused. */
    const writes = (
      w: ContractWorld,
      fresh: { token: string },
      spareApplication: string,
      hook: string,
    ): Record<string, { token?: string; path: string; body: Record<string, unknown>; state: () => Promise<unknown> }> => ({
      'POST /api/auth/signup': {
        path: '/api/auth/signup',
        body: { email: `mass-${crypto.randomUUID()}@example.com`, password: 'long-enough-password' },
        state: userCount,
      },
      'POST /api/users': {
        token: w.admin.token,
        path: '/api/users',
        body: { email: `mass-${crypto.randomUUID()}@example.com`, password: 'long-enough-password', role: 'recruiter' },
        state: userCount,
      },
      'PATCH /api/users/{id}': {
        token: w.admin.token,
        path: `/api/users/${w.otherCandidate.user.id}`,
        body: { active: true },
        state: async () => (await http('GET', '/api/auth/me', { token: w.otherCandidate.token })).body,
      },
      'POST /api/companies': {
        token: w.recruiter.token,
        path: '/api/companies',
        body: { name: `Mass ${crypto.randomUUID()}` },
        state: async () => (await http('GET', '/api/companies?limit=100')).body,
      },
      'PATCH /api/companies/{id}': {
        token: w.recruiter.token,
        path: '/api/companies/1',
        body: { website: 'https://mass.example.com' },
        state: async () => (await http('GET', '/api/companies/1')).body,
      },
      'POST /api/jobs': {
        token: w.recruiter.token,
        path: '/api/jobs',
        body: { title: 'Mass assignment', company: 'TechCorp' },
        state: async () => (await http('GET', '/api/jobs?limit=100', { token: w.admin.token })).body,
      },
      'PATCH /api/jobs/{id}': {
        token: w.recruiter.token,
        path: `/api/jobs/${w.jobs.open}`,
        body: { title: 'Renamed' },
        state: async () => (await http('GET', `/api/jobs/${w.jobs.open}`, { token: w.recruiter.token })).body,
      },
      'PUT /api/jobs/{id}/pipeline': {
        token: w.recruiter.token,
        path: `/api/jobs/${w.jobs.open}/pipeline`,
        body: {
          stages: [
            { id: 'applied', name: 'Applied', kind: 'applied' },
            { id: 'hired', name: 'Hired', kind: 'hired' },
          ],
        },
        state: async () => (await http('GET', `/api/jobs/${w.jobs.open}/pipeline`)).body,
      },
      'POST /api/jobs/{id}/pipeline/migrations': {
        token: w.recruiter.token,
        path: `/api/jobs/${w.jobs.open}/pipeline/migrations`,
        body: { fromVersion: 1, toVersion: 2, stageMap: {}, dryRun: true },
        state: async () => (await http('GET', `/api/jobs/${w.jobs.open}/pipeline`)).body,
      },
      'POST /api/jobs/{id}/apply': {
        token: fresh.token,
        path: `/api/jobs/${w.jobs.otherRecruiters}/apply`,
        body: { coverLetter: 'Hi' },
        state: async () => (await http('GET', '/api/applications?limit=100', { token: w.admin.token })).body,
      },
      'PATCH /api/applications/{id}/stage': {
        token: w.recruiter.token,
        path: `/api/applications/${w.applications.mine}/stage`,
        body: { stage: 'interview' },
        state: async () => (await http('GET', `/api/applications/${w.applications.mine}`, { token: w.admin.token })).body,
      },
      'POST /api/applications/{id}/reopen': {
        token: w.recruiter.token,
        path: `/api/applications/${w.applications.mine}/reopen`,
        body: { stage: 'applied', reason: 'Rejected by mistake' },
        state: async () => (await http('GET', `/api/applications/${w.applications.mine}`, { token: w.admin.token })).body,
      },
      'POST /api/applications/{id}/withdraw': {
        token: fresh.token,
        path: `/api/applications/${spareApplication}/withdraw`,
        body: {},
        state: async () => (await http('GET', `/api/applications/${spareApplication}`, { token: w.admin.token })).body,
      },
      'POST /api/applications/{id}/notes': {
        token: w.recruiter.token,
        path: `/api/applications/${w.applications.mine}/notes`,
        body: { body: 'A note' },
        state: async () => (await http('GET', `/api/applications/${w.applications.mine}/notes?limit=100`, { token: w.admin.token })).body,
      },
      'POST /api/applications/{id}/interviews': {
        token: w.recruiter.token,
        path: `/api/applications/${w.applications.mine}/interviews`,
        body: {
          title: 'Chat',
          startsAt: '2099-01-01T10:00:00Z',
          endsAt: '2099-01-01T11:00:00Z',
          interviewerIds: [String(w.recruiter.user.id)],
        },
        state: async () => (await http('GET', `/api/applications/${w.applications.mine}/interviews`, { token: w.admin.token })).body,
      },
      'PATCH /api/interviews/{id}': {
        token: w.recruiter.token,
        path: `/api/interviews/${w.interviews.others}`,
        body: { location: 'Room 1' },
        state: async () => (await http('GET', `/api/applications/${w.applications.others}/interviews`, { token: w.admin.token })).body,
      },
      'POST /api/interviews/{id}/cancel': {
        token: w.recruiter.token,
        path: `/api/interviews/${w.interviews.others}/cancel`,
        body: {},
        state: async () => (await http('GET', `/api/applications/${w.applications.others}/interviews`, { token: w.admin.token })).body,
      },
      'PUT /api/interviews/{id}/scorecard': {
        token: w.hiringManager.token,
        path: `/api/interviews/${w.interviews.others}/scorecard`,
        body: { recommendation: 'yes' },
        state: async () => (await http('GET', `/api/applications/${w.applications.others}/scorecards`, { token: w.admin.token })).body,
      },
      'POST /api/jobs/{id}/team': {
        token: w.recruiter.token,
        path: `/api/jobs/${w.jobs.open}/team`,
        body: { userId: String(w.otherRecruiter.user.id) },
        state: async () => (await http('GET', `/api/jobs/${w.jobs.open}/team`, { token: w.admin.token })).body,
      },
      'PATCH /api/jobs/{id}/team/{userId}': {
        token: w.recruiter.token,
        path: `/api/jobs/${w.jobs.open}/team/${w.hiringManager.user.id}`,
        body: { teamRole: 'hiring_manager' },
        state: async () => (await http('GET', `/api/jobs/${w.jobs.open}/team`, { token: w.admin.token })).body,
      },
      'POST /api/users/{id}/erase': {
        token: w.admin.token,
        path: `/api/users/${w.otherCandidate.user.id}/erase`,
        body: {},
        state: async () => (await http('GET', '/api/auth/me', { token: w.otherCandidate.token })).body,
      },
      // The codec stores nothing: what must hold is the 422.
      'POST /codec/decode': { token: w.admin.token, path: '/codec/decode', body: { payloads: [] }, state: async () => null },
      'POST /codec/encode': { token: w.admin.token, path: '/codec/encode', body: { payloads: [] }, state: async () => null },
      'POST /codec/{namespace}/decode': {
        token: w.admin.token,
        path: '/codec/default/decode',
        body: { payloads: [] },
        state: async () => null,
      },
      'POST /codec/{namespace}/encode': {
        token: w.admin.token,
        path: '/codec/default/encode',
        body: { payloads: [] },
        state: async () => null,
      },
      'POST /codec/session': { token: w.recruiter.token, path: '/codec/session', body: {}, state: async () => null },
      'POST /api/webhooks': {
        token: w.admin.token,
        path: '/api/webhooks',
        body: { url: 'https://hooks.example.com/mass', events: ['application.hired'] },
        state: webhooks,
      },
      'PATCH /api/webhooks/{id}': { token: w.admin.token, path: `/api/webhooks/${hook}`, body: { active: true }, state: webhooks },
      'POST /api/webhooks/{id}/rotate-secret': {
        token: w.admin.token,
        path: `/api/webhooks/${hook}/rotate-secret`,
        body: {},
        state: webhooks,
      },
      // The body is refused before the delivery is looked up: what must hold is the 422.
      'POST /api/webhooks/{id}/deliveries/{deliveryId}/redeliver': {
        token: w.admin.token,
        path: `/api/webhooks/${hook}/deliveries/1/redeliver`,
        body: {},
        state: webhooks,
      },
    });
    const webhooks = async () => (await http('GET', '/api/webhooks', { token: world.admin.token })).body;
    const userCount = async () => world.stack.services.orm.em.fork().count(UserSchema, {});

    test('every write refuses role, id, stage, candidateId and createdBy it does not take (422), and writes nothing', async () => {
      const fresh = await world.stack.user('candidate');
      const spare = await http('POST', `/api/jobs/${world.jobs.open}/apply`, { token: fresh.token, body: {} });
      expect(spare.status).toBe(201);
      const hook = await http('POST', '/api/webhooks', {
        token: world.admin.token,
        body: { url: 'https://hooks.example.com/ats', events: ['application.hired'] },
      });
      expect(hook.status).toBe(201);
      const table = writes(world, fresh, spare.body.id, hook.body.id);
      const writeOps = operations.filter((o) => ['POST', 'PATCH', 'PUT'].includes(o.method) && o.path !== '/api/auth/login');
      expect(writeOps.map((o) => `${o.method} ${o.path}`).filter((k) => !table[k])).toEqual([]);
      const wrong = [];
      for (const { method, path, op } of writeOps) {
        const write = table[`${method} ${path}`];
        const own = new Set(Object.keys(requestProperties(op)));
        for (const field of FORBIDDEN.filter((f) => !own.has(f))) {
          const before = await write.state();
          const value = field === 'role' ? 'admin' : field === 'stage' ? 'hired' : String(world.admin.user.id);
          const res = await http(method, write.path, { token: write.token, body: { ...write.body, [field]: value } });
          const after = await write.state();
          if (res.status !== 422 || JSON.stringify(after) !== JSON.stringify(before))
            wrong.push({
              write: `${method} ${path}`,
              field,
              status: res.status,
              changed: JSON.stringify(after) !== JSON.stringify(before),
            });
        }
      }
      expect(wrong).toEqual([]);
    }, 60_000);

    function requestProperties(op: Operation['op']): object {
      const schema = op.requestBody?.content['application/json']?.schema;
      if (!schema) return {};
      return (schema.$ref ? document.components.schemas[schema.$ref.split('/').pop()!] : schema).properties ?? {};
    }
  });

  describe('API4 unrestricted resource consumption', () => {
    test('a body over 1 MiB is refused with 413 before anything is parsed or written', async () => {
      const before = (await http('GET', '/api/jobs?limit=100', { token: world.admin.token })).body;
      const huge = { title: 'Big', company: 'TechCorp', description: 'x'.repeat(1024 * 1024 + 10) };
      const res = await http('POST', '/api/jobs', { token: world.recruiter.token, body: huge });
      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(
        (await http('POST', '/api/auth/signup', { body: { email: 'big@example.com', password: 'x'.repeat(1024 * 1024 + 10) } })).status,
      ).toBe(413);
      expect((await http('GET', '/api/jobs?limit=100', { token: world.admin.token })).body).toEqual(before);
    });

    test('strings longer than their field allows are refused with 422 naming the field', async () => {
      const long = 'x'.repeat(100_000);
      const cases: [string, string, string, Record<string, unknown>, string][] = [
        ['POST', '/api/jobs', world.recruiter.token, { title: long, company: 'TechCorp' }, 'title'],
        ['POST', '/api/jobs', world.recruiter.token, { title: 'Fine', company: long }, 'company'],
        ['PATCH', `/api/jobs/${world.jobs.open}`, world.recruiter.token, { description: long }, 'description'],
        ['POST', `/api/jobs/${world.jobs.otherRecruiters}/apply`, world.candidate.token, { coverLetter: long }, 'coverLetter'],
        [
          'PATCH',
          `/api/applications/${world.applications.mine}/stage`,
          world.recruiter.token,
          { stage: 'interview', reason: long },
          'reason',
        ],
        [
          'POST',
          '/api/auth/signup',
          '',
          { email: `long-${crypto.randomUUID()}@example.com`, password: 'long-enough-password', fullName: long },
          'fullName',
        ],
        ['POST', '/api/companies', world.recruiter.token, { name: long }, 'name'],
        ['POST', `/api/applications/${world.applications.mine}/notes`, world.recruiter.token, { body: long }, 'body'],
      ];
      const wrong = [];
      for (const [method, path, token, body, field] of cases) {
        const res = await http(method, path, { token: token || undefined, body });
        const named = (res.body?.errors ?? []).some((e: { path: string }) => e.path === field);
        if (res.status !== 422 || !named) wrong.push({ route: `${method} ${path}`, field, status: res.status, errors: res.body?.errors });
      }
      expect(wrong).toEqual([]);
    });

    test('every list refuses a limit outside 1–100 or not a number', async () => {
      const lists = operations.filter(
        (o) => o.method === 'GET' && (o.op.parameters ?? []).some((p) => p.name === 'limit' && p.in === 'query'),
      );
      expect(lists.map((o) => o.path)).toEqual(expect.arrayContaining(['/api/jobs', '/api/applications', '/api/users']));
      const wrong = [];
      for (const { path: template } of lists) {
        // A list under an object (an application's notes) is read on a real one.
        const path = fill(template, world.applications.mine);
        for (const limit of ['0', '-1', '101', '1e9', 'abc', '1.5', '']) {
          const res = await http('GET', `${path}?limit=${encodeURIComponent(limit)}`, { token: world.admin.token });
          const named = (res.body?.errors ?? []).some((e: { path: string }) => e.path === 'limit');
          if (res.status !== 422 || !named) wrong.push({ path, limit, status: res.status });
        }
        const ok = await http('GET', `${path}?limit=100`, { token: world.admin.token });
        expect({ path, status: ok.status }).toEqual({ path, status: 200 });
      }
      expect(wrong).toEqual([]);
    });
  });

  /** What the object-level tests must leave untouched. */
  async function snapshot() {
    const { stack, admin, applications, jobs, otherCandidate } = world;
    return {
      others: (await stack.http('GET', `/api/applications/${applications.others}`, { token: admin.token })).body,
      mine: (await stack.http('GET', `/api/applications/${applications.mine}`, { token: admin.token })).body,
      draft: (await stack.http('GET', `/api/jobs/${jobs.draft}`, { token: admin.token })).body,
      otherCandidate: (await stack.http('GET', '/api/auth/me', { token: otherCandidate.token })).body,
      company: (await stack.http('GET', '/api/companies/1')).body,
      notes: (await stack.http('GET', `/api/applications/${applications.others}/notes`, { token: admin.token })).body,
    };
  }
});
