/**
 * Security round 2, as an outside attacker would try it against a running system (`npm run dev`):
 * the API over HTTP, and the Temporal frontend and Redis directly where an item says so. It sets up
 * what it needs through the public API as an admin, then prints one line per item,
 * `SAFE <item>: …` or `VULNERABLE <item>: …` (`ERROR <item>: …` when the check itself could not run).
 * Exit code: 1 if any item is VULNERABLE, else 2 if any is ERROR, else 0.
 *
 *   npm run build   # or `npm run dev`: either compiles this file to dist/test/attacks/round-2.js
 *   node dist/test/attacks/round-2.js --api http://localhost:8000 --temporal localhost:7233 \
 *     --redis redis://localhost:6379/0 --outbox var/outbox --admin-email … --admin-password …
 *
 * Webhooks must be allowed to reach loopback (WEBHOOK_ALLOW_PRIVATE=true) for item 4's receiver.
 * Other loopback source addresses (127.0.x.1) stand for other clients: Linux routes all of 127/8 on lo.
 */
import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Redis } from 'ioredis';

type Json = Record<string, unknown>;
interface Options {
  api: string;
  temporal: string;
  namespace: string;
  redis: string;
  outbox: string;
  adminEmail: string;
  adminPassword: string;
  floodSeconds: number;
}
interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: Json;
  ms: number;
}
interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  from?: string;
  chunked?: boolean;
  timeoutMs?: number;
}
interface WirePayload {
  metadata?: Record<string, string>;
  data?: string;
}
type Verdict = 'SAFE' | 'VULNERABLE' | 'ERROR';

// ---------------------------------------------------------------------------------------------
// Plumbing: arguments, HTTP from a chosen source address, a webhook receiver, Temporal, Redis.

function parseArgs(argv: string[]): Options {
  const get = (name: string, fallback?: string): string => {
    const at = argv.indexOf(`--${name}`);
    const value = at >= 0 ? argv[at + 1] : fallback;
    if (value === undefined) throw new Error(`--${name} is required`);
    return value;
  };
  return {
    api: get('api', 'http://localhost:8000').replace(/\/$/, ''),
    temporal: get('temporal', 'localhost:7233'),
    namespace: get('namespace', 'default'),
    redis: get('redis', 'redis://localhost:6379/0'),
    outbox: path.resolve(get('outbox', 'var/outbox')),
    adminEmail: get('admin-email'),
    adminPassword: get('admin-password'),
    floodSeconds: Number(get('flood-seconds', '15')),
  };
}

// One keep-alive agent per source address, so "another client" really is another address to the API.
const agents = new Map<string, http.Agent>();
function agentFor(from: string): http.Agent {
  let agent = agents.get(from);
  if (!agent) {
    agent = new http.Agent({ keepAlive: true, maxSockets: 64, localAddress: from === 'default' ? undefined : from });
    agents.set(from, agent);
  }
  return agent;
}

let API = '';
function call(method: string, urlPath: string, options: CallOptions = {}): Promise<Answer> {
  const started = Date.now();
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    if (options.chunked) headers['transfer-encoding'] = 'chunked';
    else headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    // A chosen IPv4 source needs an IPv4 destination (`localhost` may resolve to ::1 first).
    const family = options.from ? 4 : undefined;
    const req = http.request(
      `${API}${urlPath}`,
      { method, headers, family, agent: agentFor(options.from ?? 'default'), timeout: options.timeoutMs ?? 60_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Json = {};
          try {
            json = JSON.parse(text) as Json;
          } catch {
            // Not JSON (metrics, HTML): `text` has it.
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, ms: Date.now() - started });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: no answer in ${options.timeoutMs ?? 60_000} ms`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

async function expect(answer: Promise<Answer>, status: number | number[], what: string): Promise<Answer> {
  const a = await answer;
  if (!([] as number[]).concat(status).includes(a.status))
    throw new Error(`${what}: expected ${String(status)}, got ${a.status} ${a.text.slice(0, 300)}`);
  return a;
}

interface Delivery {
  at: number;
  type: string;
  text: string;
}
function startReceiver(): Promise<{ url: string; deliveries: Delivery[]; close: () => void }> {
  const deliveries: Delivery[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let type = '';
      try {
        type = String((JSON.parse(text) as Json).type);
      } catch {
        type = '(not JSON)';
      }
      deliveries.push({ at: Date.now(), type, text });
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/hook`, deliveries, close: () => server.close() });
    }),
  );
}

const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64');
const toWire = (p: temporal.api.common.v1.IPayload): WirePayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
  data: b64(p.data),
});
const fromWire = (p: WirePayload): temporal.api.common.v1.IPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
  data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
});
const jsonPayload = (value: unknown): WirePayload => ({
  metadata: { encoding: Buffer.from('json/plain').toString('base64') },
  data: Buffer.from(JSON.stringify(value)).toString('base64'),
});
const wireText = (payloads: WirePayload[]) => payloads.map((p) => Buffer.from(p.data ?? '', 'base64').toString('utf8')).join('\n');

/** Every value of every key in the Redis database, as text, by key. */
async function redisContents(redis: Redis): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      let value: unknown = null;
      if (type === 'string') value = await redis.get(key);
      else if (type === 'hash') value = await redis.hgetall(key);
      else if (type === 'list') value = await redis.lrange(key, 0, -1);
      else if (type === 'set') value = await redis.smembers(key);
      else if (type === 'zset') value = await redis.zrange(key, 0, -1);
      else if (type === 'stream') value = await redis.xrange(key, '-', '+');
      // The key's name counts too: a name can carry an e-mail address.
      if (value !== null) out.set(key, `${key}\n${JSON.stringify(value)}`);
    }
  } while (cursor !== '0');
  return out;
}

function outboxContents(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    // Quoted-printable soft line breaks would split a marker: join them before searching.
    out.set(file, fs.readFileSync(file, 'utf8').replace(/=\r?\n/g, ''));
  }
  return out;
}

interface Hit {
  marker: string;
  where: string;
}
function findMarkers(contents: Map<string, string>, markers: Record<string, string>, label: string): Hit[] {
  const found: Hit[] = [];
  for (const [where, text] of contents) {
    const lower = text.toLowerCase();
    for (const [marker, value] of Object.entries(markers))
      if (lower.includes(value.toLowerCase())) found.push({ marker, where: `${label} ${where}` });
  }
  return found;
}

/** "e-mail in 3 Redis keys, 1 outbox file (Redis k1, outbox f1, …)" per marker. */
function summarize(hits: Hit[]): string {
  const byMarker = new Map<string, string[]>();
  for (const h of hits) byMarker.set(h.marker, [...(byMarker.get(h.marker) ?? []), h.where]);
  return [...byMarker]
    .map(([marker, wheres]) => {
      const keys = wheres.filter((w) => w.startsWith('Redis')).length;
      const files = wheres.length - keys;
      const examples = [wheres.find((w) => w.startsWith('Redis')), wheres.find((w) => w.startsWith('outbox'))].filter(Boolean).join(', ');
      return `${marker} in ${keys} Redis keys, ${files} outbox files (${examples}${wheres.length > 2 ? ', …' : ''})`;
    })
    .join('; ');
}

// ---------------------------------------------------------------------------------------------
// The attack.

const results: { verdict: Verdict; item: string; text: string }[] = [];
function report(verdict: Verdict, item: string, text: string) {
  results.push({ verdict, item, text });
  console.log(`${verdict} ${item}: ${text}`);
}
async function attempt(item: string, check: () => Promise<void>) {
  try {
    await check();
  } catch (err) {
    report('ERROR', item, `the check could not run: ${(err as Error).message}`);
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  API = opts.api;
  const run = randomUUID().slice(0, 8);
  const password = `pw-${run}-long-enough`;
  const receiver = await startReceiver();
  const connection = await Connection.connect({ address: opts.temporal });
  const service = connection.workflowService;
  const redis = new Redis(opts.redis, { maxRetriesPerRequest: 2 });

  try {
    // ---- Set-up, through the public API as the admin.
    const login = async (email: string, pw = password, from?: string) =>
      String(
        (await expect(call('POST', '/api/auth/login', { body: { email, password: pw }, from }), 200, `log-in of ${email}`)).json
          .access_token,
      );
    const admin = await login(opts.adminEmail, opts.adminPassword);
    const adminId = String(((await expect(call('GET', '/api/auth/me', { token: admin }), 200, 'who the admin is')).json.user as Json).id);
    const createUser = async (tag: string, role: string, fullName: string) => {
      const email = `${tag}-${run}@attack.example`;
      const user = (
        await expect(call('POST', '/api/users', { token: admin, body: { email, password, role, fullName } }), 201, `creating ${tag}`)
      ).json.user as Json;
      return { id: String(user.id), email, fullName };
    };
    const attacker = await createUser('outsider', 'recruiter', `Outsider ${run}`);
    const teamRecruiter = await createUser('leaver', 'recruiter', `Leaver ${run}`);
    const reader = await createUser('reader', 'candidate', `Reader ${run}`);
    const erased = await createUser('erased', 'candidate', `Erasable Person ${run}`);
    const job = (
      await expect(
        call('POST', '/api/jobs', { token: admin, body: { title: `Attack target ${run}`, company: `Attack Co ${run}`, status: 'open' } }),
        201,
        'creating the job',
      )
    ).json;
    const jobId = String(job.id);
    await expect(
      call('POST', `/api/jobs/${jobId}/team`, { token: admin, body: { userId: teamRecruiter.id } }),
      [200, 201],
      'adding the team recruiter',
    );
    const webhook = await expect(
      call('POST', '/api/webhooks', {
        token: admin,
        body: { url: receiver.url, events: ['application.stage_changed', 'application.rejected', 'application.withdrawn'] },
      }),
      201,
      'subscribing the receiver',
    );

    const apply = async (token: string, tag: string, job: string) => {
      const coverLetter = `cover-letter-${tag}-${run}-job${job}: I would love to work on your attack surface.`;
      const resumeUrl = `https://files.attack.example/${tag}-${run}/job${job}/resume.pdf`;
      const app = (
        await expect(call('POST', `/api/jobs/${job}/apply`, { token, body: { coverLetter, resumeUrl } }), 201, `${tag} applying`)
      ).json;
      return { id: String(app.id), coverLetter, resumeUrl };
    };
    const readerApp = await apply(await login(reader.email), 'reader', jobId);
    const erasedToken = await login(erased.email);
    const erasedApp = await apply(erasedToken, 'erased', jobId);
    // More running applications of the erased candidate: erasure withdraws them one by one, and each
    // withdrawal's webhook is on its way while the next one is withdrawn.
    for (let i = 0; i < 3; i++) {
      const other = (
        await expect(
          call('POST', '/api/jobs', {
            token: admin,
            body: { title: `Attack target ${run} #${i + 2}`, company: `Attack Co ${run}`, status: 'open' },
          }),
          201,
          'creating another job',
        )
      ).json;
      await apply(erasedToken, 'erased', String(other.id));
    }
    // What identifies the erased candidate's content in any of their applications.
    const erasedCover = `cover-letter-erased-${run}`;
    const erasedResume = `files.attack.example/erased-${run}/`;
    const carriesErased = (text: string) => text.includes(erasedCover) || text.includes(erasedResume);
    const outsider = await login(attacker.email);
    const leaver = await login(teamRecruiter.email);
    const outsiderSees = (await call('GET', `/api/applications/${encodeURIComponent(readerApp.id)}`, { token: outsider })).status;
    console.log(
      `# set-up: job ${jobId}, applications ${readerApp.id} and ${erasedApp.id}, webhook ${String(webhook.json.id)}, admin ${adminId}; the outsider's GET of the application answers ${outsiderSees}`,
    );

    // ---- 8. /metrics anonymously.
    await attempt('8 metrics-public', async () => {
      const a = await call('GET', '/metrics');
      const prometheus = /^# (HELP|TYPE) /m.test(a.text);
      if (a.status === 200 && prometheus)
        report(
          'VULNERABLE',
          '8 metrics-public',
          `anonymous GET /metrics answered 200 with Prometheus text (${a.text.split('\n').length} lines)`,
        );
      else
        report(
          'SAFE',
          '8 metrics-public',
          `anonymous GET /metrics answered ${a.status}${prometheus ? ' (with Prometheus text)' : ' without Prometheus text'}`,
        );
    });

    // ---- 9. Application ids derived from SQL ids only.
    await attempt('9 workflow-ids', async () => {
      const sqlOnly = /^application-job\d+-candidate\d+$/.test(readerApp.id);
      report(
        sqlOnly ? 'VULNERABLE' : 'SAFE',
        '9 workflow-ids',
        `a new application's id is ${readerApp.id}: ${sqlOnly ? 'built from SQL ids only, so a replaced or restored database names the same workflows again' : 'it carries a part not derived from SQL ids'} (checked by shape, not by replacing the database)`,
      );
    });

    // ---- 1. /codec/encode as a signing oracle: signal and update straight to Temporal.
    const encode = async (token: string, value: unknown) => {
      const a = await call('POST', '/codec/encode', { token, body: { payloads: [jsonPayload(value)] } });
      return { status: a.status, payloads: a.status === 200 ? (a.json.payloads as WirePayload[]) : null };
    };
    const stageOf = async (id: string) => {
      const app = (
        await expect(call('GET', `/api/applications/${encodeURIComponent(id)}`, { token: admin }), 200, 'reading the application as admin')
      ).json;
      return { stage: String(app.stage), history: (app.history as Json[]) ?? [] };
    };
    await attempt('1 codec-encode-oracle', async () => {
      const item = '1 codec-encode-oracle';
      const before = await stageOf(readerApp.id);
      const request = { applicationId: readerApp.id, stage: 'screening', by: adminId, reason: null };
      const signalEncoded = await encode(outsider, request);
      await service.signalWorkflowExecution({
        namespace: opts.namespace,
        workflowExecution: { workflowId: readerApp.id },
        signalName: 'changeStage',
        input: { payloads: (signalEncoded.payloads ?? [jsonPayload(request)]).map(fromWire) },
        identity: `attacker-${run}`,
        requestId: randomUUID(),
      });
      let after = before;
      for (let i = 0; i < 40 && after.stage === before.stage; i++) {
        await sleep(250);
        after = await stageOf(readerApp.id);
      }
      const moved = after.stage !== before.stage;
      const last = after.history[after.history.length - 1];
      // Refused by /codec/encode, the signal goes unsigned: it still shows what Temporal does with it.
      const signalOutcome = moved
        ? `a signal encoded by the off-team recruiter moved ${readerApp.id} from ${before.stage} to ${after.stage}, recorded as by ${String(last?.by)}${String(last?.by) === adminId ? ' (the admin)' : ''}`
        : `a signal encoded by the off-team recruiter (encode answered ${signalEncoded.status}) left ${readerApp.id} in ${after.stage} after 10 s`;

      // The update asks for the move after wherever the application is now.
      const next: Record<string, string> = { applied: 'screening', screening: 'interview', interview: 'offer', offer: 'hired' };
      const updateRequest = { applicationId: readerApp.id, stage: next[after.stage] ?? 'rejected', by: adminId, reason: null };
      const updateEncoded = await encode(outsider, updateRequest);
      const response = await service.updateWorkflowExecution({
        namespace: opts.namespace,
        workflowExecution: { workflowId: readerApp.id },
        waitPolicy: {
          lifecycleStage: temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED,
        },
        request: {
          meta: { updateId: randomUUID(), identity: `attacker-${run}` },
          input: { name: 'changeStage', args: { payloads: (updateEncoded.payloads ?? [jsonPayload(updateRequest)]).map(fromWire) } },
        },
      });
      const accepted = Boolean(response.outcome?.success);
      const updateOutcome = accepted
        ? `an update encoded the same way was accepted by the workflow (asked ${after.stage} → ${updateRequest.stage} as the admin)`
        : `an update encoded the same way was refused (${response.outcome?.failure?.message ?? `no outcome, stage ${String(response.stage)}`})`;
      report(moved || accepted ? 'VULNERABLE' : 'SAFE', item, `${signalOutcome}; ${updateOutcome}`);
    });

    // ---- 2. /codec/decode ignores hiring teams.
    await attempt('2 codec-decode-teams', async () => {
      const item = '2 codec-decode-teams';
      const history = await service.getWorkflowExecutionHistory({
        namespace: opts.namespace,
        execution: { workflowId: readerApp.id },
        maximumPageSize: 5,
      });
      const started = history.history?.events?.find(
        (e) => e.workflowExecutionStartedEventAttributes,
      )?.workflowExecutionStartedEventAttributes;
      const payloads = (started?.input?.payloads ?? []).map(toWire);
      if (!payloads.length) throw new Error('the start event carries no input');
      const leaks = (text: string) => text.includes(readerApp.coverLetter) || text.includes(readerApp.resumeUrl);
      const rawLeaks = leaks(wireText(payloads));
      const asOutsider = await call('POST', '/codec/decode', { token: outsider, body: { payloads } });
      const asAdmin = await call('POST', '/codec/decode', { token: admin, body: { payloads } });
      const adminReads = asAdmin.status === 200 && leaks(wireText(asAdmin.json.payloads as WirePayload[]));
      const outsiderReads = asOutsider.status === 200 && leaks(wireText(asOutsider.json.payloads as WirePayload[]));
      const control = `(the admin's decode ${adminReads ? 'does' : 'does NOT'} show it; the raw history ${rawLeaks ? 'DOES' : 'does not'} show it)`;
      if (outsiderReads || rawLeaks)
        report(
          'VULNERABLE',
          item,
          `the off-team recruiter (GET answers ${outsiderSees}) read the cover letter or résumé URL of ${readerApp.id} from its start event${outsiderReads ? ' through /codec/decode' : ''} ${control}`,
        );
      else
        report(
          'SAFE',
          item,
          `/codec/decode answered the off-team recruiter ${asOutsider.status} without the cover letter or résumé URL of ${readerApp.id}'s start event ${control}`,
        );
    });

    // ---- 5, 4, 6: keyed stage change, removal from the team, erasure, replay, leftovers.
    const key = `attack-${run}`;
    const stageBody = { stage: 'screening' };
    const first = await call('PATCH', `/api/applications/${encodeURIComponent(erasedApp.id)}/stage`, {
      token: leaver,
      body: stageBody,
      headers: { 'idempotency-key': key },
    });
    if (first.status !== 200)
      console.log(`# the team recruiter's keyed stage change answered ${first.status}: ${first.text.slice(0, 200)}`);
    // Let the change's webhook and e-mail go out before the erasure: the delivery shows the receiver
    // is reachable, and the e-mail's job and file give item 6 something to find.
    const delivered = () => receiver.deliveries.some((d) => d.type === 'application.stage_changed' && d.text.includes(erasedApp.id));
    for (let i = 0; i < 60 && !delivered(); i++) await sleep(250);
    for (let i = 0; i < 60 && !findMarkers(outboxContents(opts.outbox), { email: erased.email }, 'outbox').length; i++) await sleep(250);
    await expect(
      call('DELETE', `/api/jobs/${jobId}/team/${teamRecruiter.id}`, { token: admin }),
      204,
      'removing the recruiter from the team',
    );
    const erasedAt = Date.now();
    const erase = await call('POST', `/api/users/${erased.id}/erase`, { token: admin });
    if (erase.status !== 202) console.log(`# the erasure answered ${erase.status}: ${erase.text.slice(0, 200)}`);

    await attempt('4 erasure-webhook', async () => {
      const item = '4 erasure-webhook';
      // Wait for the four withdrawals' deliveries (or 20 s, for a system that sends none).
      const rejections = () => receiver.deliveries.filter((d) => d.at >= erasedAt && d.type === 'application.rejected').length;
      for (let i = 0; i < 80 && rejections() < 4; i++) await sleep(250);
      await sleep(1000);
      const after = receiver.deliveries.filter((d) => d.at >= erasedAt);
      const leaking = after.filter((d) => carriesErased(d.text) || d.text.toLowerCase().includes(erased.email.toLowerCase()));
      const types = after.map((d) => d.type).join(', ') || 'none';
      if (!receiver.deliveries.length)
        throw new Error(
          'the receiver got no delivery at all, not even the stage change before the erasure: are webhooks allowed to reach loopback (WEBHOOK_ALLOW_PRIVATE=true)?',
        );
      if (leaking.length)
        report(
          'VULNERABLE',
          item,
          `${leaking.length} webhook deliveries received after the erasure request (${leaking.map((d) => d.type).join(', ')}) carried the erased candidate's cover letter, résumé URL or e-mail`,
        );
      else
        report(
          'SAFE',
          item,
          `erased a candidate with 4 running applications (erase answered ${erase.status}); deliveries received afterwards: ${types}, none carrying the cover letter, résumé URL or e-mail`,
        );
    });

    await attempt('5 idempotent-replay', async () => {
      const item = '5 idempotent-replay';
      const replay = await call('PATCH', `/api/applications/${encodeURIComponent(erasedApp.id)}/stage`, {
        token: leaver,
        body: stageBody,
        headers: { 'idempotency-key': key },
      });
      const replayed = replay.status === 200 && replay.headers['idempotent-replayed'] === 'true';
      const carries = carriesErased(replay.text);
      const what = `the recruiter's keyed stage change (first answer ${first.status}), replayed after leaving the team and the candidate's erasure, answered ${replay.status}${replay.headers['idempotent-replayed'] ? ` with Idempotent-Replayed: ${String(replay.headers['idempotent-replayed'])}` : ''}`;
      report(
        replayed || carries ? 'VULNERABLE' : 'SAFE',
        item,
        `${what}${carries ? ', carrying the erased cover letter or résumé URL' : ', without the erased cover letter or résumé URL'}`,
      );
    });

    await attempt('6 erasure-leftovers', async () => {
      const item = '6 erasure-leftovers';
      const markers = { 'e-mail': erased.email, name: erased.fullName, 'cover letter': erasedCover, 'résumé URL': erasedResume };
      // Erasure runs on after its 202: give it up to 30 s to finish.
      // The item is about queue jobs (BullMQ keys, any state), idempotency records and the outbox; a
      // hit in any other key (a rate limiter's, say) is shown but does not decide the verdict.
      const inScope = (key: string) => /bull|idempot|notif|webhook|deliver/i.test(key);
      let found: Hit[] = [];
      let elsewhere: Hit[] = [];
      let keys = 0;
      let files = 0;
      for (let i = 0; i < 30; i++) {
        const inRedis = await redisContents(redis);
        const inOutbox = outboxContents(opts.outbox);
        keys = inRedis.size;
        files = inOutbox.size;
        const scoped = new Map([...inRedis].filter(([k]) => inScope(k)));
        elsewhere = findMarkers(new Map([...inRedis].filter(([k]) => !inScope(k))), markers, 'Redis');
        found = [...findMarkers(scoped, markers, 'Redis'), ...findMarkers(inOutbox, markers, 'outbox')];
        if (!found.length) break;
        await sleep(1000);
      }
      const also = elsewhere.length ? ` (also, outside the queues and idempotency records: ${summarize(elsewhere)})` : '';
      if (found.length) report('VULNERABLE', item, `30 s after the erasure, personal data remains: ${summarize(found)}${also}`);
      else
        report(
          'SAFE',
          item,
          `after the erasure, none of the candidate's e-mail, name, cover letter or résumé URL in the queue and idempotency keys of ${keys} Redis keys (every type, every job state) or in ${files} outbox files${also}`,
        );
    });

    // ---- 7. Eight slow anonymous chunked uploads, then an ordinary chunked POST /api/jobs.
    await attempt('7 slow-bodies', async () => {
      const item = '7 slow-bodies';
      const url = new URL(API);
      const sockets: net.Socket[] = [];
      const closedEarly: string[] = [];
      for (let i = 0; i < 8; i++) {
        const socket = net.connect({ host: url.hostname, port: Number(url.port || 80) });
        socket.on('error', () => undefined);
        socket.on('data', (d: Buffer) => closedEarly.push(d.toString('utf8').split('\r\n')[0]));
        socket.write(
          `POST /api/auth/signup HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{\r\n`,
        );
        sockets.push(socket);
      }
      const trickle = setInterval(() => {
        for (const s of sockets) if (!s.destroyed) s.write('1\r\n \r\n');
      }, 1000);
      try {
        await sleep(1500);
        // An ordinary recruiter somewhere else: another source address than the slow senders.
        const a = await call('POST', '/api/jobs', {
          token: outsider,
          from: '127.0.1.1',
          chunked: true,
          timeoutMs: 30_000,
          body: { title: `Chunked ${run}`, company: `Attack Co ${run}`, status: 'draft' },
        });
        const answers = closedEarly.length
          ? `; the slow senders were answered: ${[...new Set(closedEarly)].join(', ')}`
          : '; the slow senders were still held open';
        if (a.ms > 3000 || a.status === 503)
          report(
            'VULNERABLE',
            item,
            `with 8 trickling chunked uploads held open, a recruiter's chunked POST /api/jobs took ${a.ms} ms and answered ${a.status}${answers}`,
          );
        else
          report(
            'SAFE',
            item,
            `with 8 trickling chunked uploads held open, a recruiter's chunked POST /api/jobs answered ${a.status} in ${a.ms} ms${answers}`,
          );
      } finally {
        clearInterval(trickle);
        for (const s of sockets) s.destroy();
      }
    });

    // ---- 3. Log-in flood with correct passwords, while other users log in from other addresses.
    await attempt('3 login-flood', async () => {
      const item = '3 login-flood';
      // Ten accounts, four log-ins in flight each: below the per-(e-mail, address) failure reservation,
      // so a 429 here means a budget on correct passwords, not a side effect of in-flight reservations.
      const flooders = await Promise.all(Array.from({ length: 10 }, (_, n) => createUser(`flood${n}`, 'candidate', `Flood ${n} ${run}`)));
      const others: { email: string }[] = [];
      for (let n = 0; n < 31; n += 4)
        others.push(
          ...(await Promise.all(
            [0, 1, 2, 3].filter((k) => n + k < 31).map((k) => createUser(`user${n + k}`, 'candidate', `User ${n + k} ${run}`)),
          )),
        );
      // The flood's own address, apart from the set-up's, so a budget it exhausts refuses only the flood.
      const FLOOD_ADDRESS = '127.0.200.1';
      const flood: Record<number, number> = {};
      const otherStatus: Record<string, number> = {};
      const end = Date.now() + opts.floodSeconds * 1000;
      const floodWorker = async (w: number) => {
        const who = flooders[w % flooders.length];
        while (Date.now() < end) {
          const status = await call('POST', '/api/auth/login', {
            body: { email: who.email, password },
            from: FLOOD_ADDRESS,
            timeoutMs: 30_000,
          }).then(
            (a) => a.status,
            () => 0,
          );
          flood[status] = (flood[status] ?? 0) + 1;
          if (status !== 200) await sleep(20);
        }
      };
      const workers = Array.from({ length: 40 }, (_, w) => floodWorker(w));
      // The other users arrive one by one while the flood runs, each from its own address.
      const spacing = Math.max(100, ((opts.floodSeconds - 3) * 1000) / others.length);
      await sleep(2000);
      const logins = others.map(async (who, i) => {
        await sleep(i * spacing);
        const status = await call('POST', '/api/auth/login', {
          body: { email: who.email, password },
          from: `127.0.${i + 2}.1`,
          timeoutMs: 30_000,
        }).then(
          (a) => String(a.status),
          (e: Error) => `error (${e.message})`,
        );
        otherStatus[status] = (otherStatus[status] ?? 0) + 1;
      });
      await Promise.all([...workers, ...logins]);
      const refused = Object.entries(otherStatus)
        .filter(([s]) => s !== '200')
        .reduce((sum, [, c]) => sum + c, 0);
      const fmt = (counts: Record<string | number, number>) =>
        Object.entries(counts)
          .map(([s, c]) => `${c}×${s}`)
          .join(', ');
      const what = `40 concurrent correct-password log-ins for ${opts.floodSeconds} s from one address (${flooders.length} accounts) got ${fmt(flood)}; ${others.length} other users from other addresses got ${fmt(otherStatus)}`;
      const starved = (otherStatus['503'] ?? 0) > 3 || refused > 3;
      report(starved || !flood[429] ? 'VULNERABLE' : 'SAFE', item, `${what}${flood[429] ? '' : '; the flood never saw 429'}`);
    });
  } finally {
    receiver.close();
    redis.disconnect();
    await connection.close();
    for (const agent of agents.values()) agent.destroy();
  }

  const counts = (v: Verdict) => results.filter((r) => r.verdict === v).length;
  console.log(`# ${counts('SAFE')} safe, ${counts('VULNERABLE')} vulnerable, ${counts('ERROR')} not checked`);
  return counts('VULNERABLE') ? 1 : counts('ERROR') ? 2 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`ERROR set-up: ${err.stack ?? err.message}`);
    process.exit(2);
  },
);
