import path from 'node:path';
import { convertV2 } from 'openapi-to-postmanv2';

/** What a request folder or request looks like in a Postman v2.1 collection, as far as we touch it. */
interface Item {
  id?: string;
  name: string;
  item?: Item[];
  request?: { method: string; url: { path?: string[]; variable?: { key: string; value?: string }[] }; auth?: unknown };
  response?: unknown[];
  event?: unknown[];
}

/** Where the generated collection is committed, relative to the repository root; /postman.json serves it. */
export const POSTMAN_COLLECTION_FILE = 'docs/postman/ats.postman_collection.json';

type OpenApiDocument = { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };

const DEFAULT_VARIABLES = {
  baseUrl: 'http://localhost:8000',
  // The demo candidate that `npm run dev` seeds; change both to sign in as someone else.
  email: 'candidate@example.com',
  password: 'candidate-demo-password',
  accessToken: '',
};

/** Signs in and keeps the OAuth2 `access_token` for every following request (collection auth). */
const SIGN_IN: Item = {
  name: 'Sign in',
  request: {
    method: 'POST',
    url: { raw: '{{baseUrl}}/api/auth/login', host: ['{{baseUrl}}'], path: ['api', 'auth', 'login'] },
    header: [{ key: 'Content-Type', value: 'application/json' }],
    body: { mode: 'raw', raw: '{\n  "email": "{{email}}",\n  "password": "{{password}}"\n}', options: { raw: { language: 'json' } } },
    auth: { type: 'noauth' },
  } as Item['request'],
  event: [
    script('test', [
      "pm.test('signed in', () => pm.response.to.have.status(200));",
      "pm.collectionVariables.set('accessToken', pm.response.json().access_token);",
    ]),
  ],
};

function script(listen: 'test' | 'prerequest', exec: string[]) {
  return { listen, script: { type: 'text/javascript', exec } };
}

/**
 * Converts the OpenAPI document to a Postman v2.1 collection with openapi-to-postmanv2, then makes it
 * runnable and reproducible: a first "Sign in" request stores the token that the collection's bearer
 * auth sends on every request; path parameters become collection variables (`{{jobId}}`, …); each
 * request checks that its answer is one the document lists; the converter's random ids and faked
 * example answers are dropped, so the same document always gives the same file.
 */
export function toPostmanCollection(document: OpenApiDocument): object {
  const converted = convertReproducibly(document);
  const pathVariables = new Set<string>();
  const items = converted.item.map((item) => tidy(item, document, pathVariables));
  return {
    info: {
      name: 'ATS API',
      description:
        'Generated from /openapi.json by `npm run postman`. Run "Sign in" first (or the whole collection): it stores the token every other request sends.',
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    },
    auth: { type: 'bearer', bearer: [{ key: 'token', value: '{{accessToken}}', type: 'string' }] },
    variable: [
      ...Object.entries(DEFAULT_VARIABLES).map(([key, value]) => ({ key, value })),
      ...[...pathVariables].sort().map((key) => ({ key, value: '1' })),
    ],
    item: [SIGN_IN, ...items],
  };
}

/** The committed file's exact text: two-space JSON and a final newline. */
export function serializeCollection(collection: object): string {
  return JSON.stringify(collection, null, 2) + '\n';
}

/** The json-schema-faker copy the converter fakes examples with (it keeps its own random source). */
const schemaFaker = require(
  path.join(path.dirname(require.resolve('openapi-to-postmanv2/package.json')), 'assets/json-schema-faker.js'),
) as {
  option(options: { random: () => number }): void;
};

/** mulberry32: a small seeded generator, so faked examples are a function of the document alone. */
function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The converter fakes example values (enum members, dates, pattern strings) at random; it runs
 * synchronously, so seeded generators for the length of the call make its output reproducible.
 */
function convertReproducibly(document: OpenApiDocument): { item: Item[] } {
  const random = Math.random;
  Math.random = seededRandom(0x5eed);
  schemaFaker.option({ random: seededRandom(0xfa4e) });
  let outcome: { error?: unknown; collection?: { item: Item[] } } = {};
  try {
    convertV2(
      { type: 'json', data: document as never },
      {
        folderStrategy: 'Tags',
        parametersResolution: 'Example',
        enableOptionalParameters: false,
        includeAuthInfoInExample: false,
        alwaysInheritAuthentication: true,
      },
      (error, result) => {
        if (error) outcome = { error };
        else if (!result?.result) outcome = { error: new Error(`openapi-to-postmanv2: ${result?.reason}`) };
        else outcome = { collection: result.output?.[0]?.data as never };
      },
    );
  } finally {
    Math.random = random;
  }
  if (outcome.error || !outcome.collection) throw outcome.error ?? new Error('openapi-to-postmanv2 did not answer');
  return outcome.collection;
}

function tidy(item: Item, document: OpenApiDocument, pathVariables: Set<string>): Item {
  const { id: _id, response: _response, ...rest } = item;
  if (rest.item) return { ...rest, item: rest.item.map((child) => tidy(child, document, pathVariables)) };
  const request = rest.request!;
  delete request.auth;
  withoutAliases(request as { body?: { mode?: string; raw?: string } });
  const segments = request.url.path ?? [];
  request.url.path = segments.map((segment, i) => {
    if (!segment.startsWith(':')) return segment;
    const name = variableName(segment.slice(1), segments[i - 1]);
    pathVariables.add(name);
    return `{{${name}}}`;
  });
  delete request.url.variable;
  const openApiPath = '/' + segments.map((s) => (s.startsWith(':') ? `{${s.slice(1)}}` : s)).join('/');
  const statuses = Object.keys(document.paths[openApiPath]?.[request.method.toLowerCase()]?.responses ?? {}).map(Number);
  return {
    ...rest,
    request,
    event: [
      script('test', [
        `pm.test('answers a status the API documents for it', () => pm.expect(${JSON.stringify(statuses)}).to.include(pm.response.code));`,
      ]),
    ],
  };
}

/**
 * Request bodies also take the original design's snake_case names; an example that sends both
 * spellings (with different faked values) would be refused, so keep the camelCase one.
 */
function withoutAliases(request: { body?: { mode?: string; raw?: string } }): void {
  if (request.body?.mode !== 'raw' || !request.body.raw) return;
  let body: unknown;
  try {
    body = JSON.parse(request.body.raw);
  } catch {
    return;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
  const fields = body as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    const camel = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    if (camel !== key && camel in fields) delete fields[key];
  }
  request.body.raw = JSON.stringify(fields, null, 2);
}

/** `/api/jobs/{id}` → `jobId`; a parameter already named for what it is (`userId`) keeps its name. */
function variableName(parameter: string, previousSegment = ''): string {
  if (parameter !== 'id') return parameter;
  const singular = previousSegment.replace(/ies$/, 'y').replace(/s$/, '');
  return `${singular}Id`;
}
