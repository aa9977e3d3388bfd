import fs from 'node:fs';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/compose-spec/compose-spec.json'), 'utf8'));

/** The Compose Specification's JSON schema, as `docker compose config` applies it (no Docker engine needed). */
function validate(document: Record<string, unknown>): string[] {
  // The schema uses the pre-2019 `id` keyword on its definitions, which strict mode would refuse;
  // its `$schema` names draft 2019-09 by an old URI (http, trailing '#') that Ajv2019 implies anyway.
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  addFormats(ajv);
  // Compose's durations are Go's (`5s`, `1m30s`), not ISO 8601 as in ajv-formats.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  // The schema's own formats, as Compose defines them: `[host_ip:][published[-range]:]target[-range][/protocol]` and a CIDR.
  ajv.addFormat('ports', /^((\[[0-9a-fA-F:]+\]|[0-9.]+):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F:.]+\/\d{1,3}$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  const { $schema: _draft, ...body } = schema;
  const check = ajv.compile(withoutLegacyIds(body) as object);
  // `name` came to the specification after the vendored snapshot (see its SOURCE.md); checked below.
  const { name, ...rest } = document;
  const errors = check(rest) ? [] : (check.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
  if (name !== undefined && !(typeof name === 'string' && /^[a-z0-9][a-z0-9_-]*$/.test(name)))
    errors.push(`/name ${JSON.stringify(name)} is not a valid project name`);
  return errors;
}

/**
 * Drops the draft-04 `id` annotations (`"id": "#/properties/services"`), which only label their
 * schema; Ajv 8 refuses the keyword. Keys of `properties`-like maps are names, never keywords.
 */
function withoutLegacyIds(node: unknown, isNameMap = false): unknown {
  if (Array.isArray(node)) return node.map((n) => withoutLegacyIds(n));
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => isNameMap || key !== 'id' || typeof value !== 'string')
      .map(([key, value]) => [
        key,
        isNameMap ? withoutLegacyIds(value) : withoutLegacyIds(value, ['properties', 'patternProperties', 'definitions'].includes(key)),
      ]),
  );
}

const load = (file: string) => parse(fs.readFileSync(path.join(ROOT, file), 'utf8'), { merge: true }) as Record<string, unknown>;

describe('compose files against the Compose Specification schema', () => {
  test.each(['docker-compose.yml', 'docker-compose.production.yml'])('%s is valid', (file) => {
    expect(validate(load(file))).toEqual([]);
  });

  test('the schema refuses what Compose would refuse', () => {
    const production = load('docker-compose.production.yml');
    const services = production.services as Record<string, Record<string, unknown>>;
    const broken = {
      ...production,
      name: 'ATS Production',
      services: {
        ...services,
        worker: { ...services.worker, deploy: { replicas: 'two' } },
        api: { ...services.api, depends_on: { redis: { condition: 'service_ready' } } },
        notifier: { ...services.notifier, restartt: 'always' },
        temporal: { ...services.temporal, ports: ['0.0.0.0:7233:7233:tcp'] },
        redis: { ...services.redis, healthcheck: { ...(services.redis.healthcheck as object), interval: 'PT5S' } },
      },
    };
    const errors = validate(broken);
    expect(errors.some((e) => e.startsWith('/services/worker/deploy/replicas'))).toBe(true);
    expect(errors.some((e) => e.startsWith('/services/api/depends_on'))).toBe(true);
    expect(errors.some((e) => e.startsWith('/services/notifier') && e.includes('restartt'))).toBe(true);
    expect(errors.some((e) => e.startsWith('/services/redis/healthcheck/interval must match format "duration"'))).toBe(true);
    expect(errors.some((e) => e.startsWith('/services/temporal/ports/0 must match format "ports"'))).toBe(true);
    expect(errors).toContain('/name "ATS Production" is not a valid project name');
  });
});
