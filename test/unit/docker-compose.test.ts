import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config';

const ROOT = path.resolve(__dirname, '../..');
const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
const services = compose.services as Record<string, any>;

/** Compose's own substitution of `${NAME:-default}` and `${NAME:?error}` from the given shell environment. */
function interpolate(environment: Record<string, string>, shell: Record<string, string>): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(environment).map(([key, value]) => [
      key,
      String(value).replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) => {
        if (shell[name] !== undefined && shell[name] !== '') return shell[name];
        if (op === '?') throw new Error(`${name}: ${arg}`);
        return arg ?? '';
      }) || undefined,
    ]),
  );
}

interface PublishedPort {
  hostIp: string | undefined;
  published: number | undefined;
  target: number;
}

/** A service's `ports`, short (`[ip:][published:]target`) or long syntax; no host IP means every interface. */
function publishedPorts(service: { ports?: (string | number | Record<string, unknown>)[] }): PublishedPort[] {
  return (service.ports ?? []).map((entry) => {
    if (typeof entry === 'object') {
      return {
        hostIp: entry.host_ip as string | undefined,
        published: entry.published === undefined ? undefined : Number(entry.published),
        target: Number(entry.target),
      };
    }
    const parts = String(entry)
      .replace(/\/\w+$/, '')
      .split(':');
    const target = Number(parts.pop());
    const published = parts.length ? Number(parts.pop()) : undefined;
    return { hostIp: parts.length ? parts.join(':').replace(/^\[|\]$/g, '') : undefined, published, target };
  });
}

describe('docker-compose.yml', () => {
  test('runs Temporal, Redis, a migration step and the three process types; Jaeger only when asked', () => {
    const always = Object.keys(services).filter((name) => !services[name].profiles);
    expect(always.sort()).toEqual(['api', 'migrate', 'notifier', 'redis', 'temporal', 'worker']);
    expect(services.jaeger.profiles).toEqual(['tracing']);
  });

  test('tracing is off unless OTEL_EXPORTER_OTLP_ENDPOINT names a collector (the tracing profile: Jaeger)', () => {
    for (const name of ['api', 'worker', 'notifier']) {
      expect(loadConfig(interpolate(services[name].environment, { SECRET_KEY: 'x'.repeat(64) })).tracing).toBeUndefined();
      const traced = loadConfig(
        interpolate(services[name].environment, { SECRET_KEY: 'x'.repeat(64), OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' }),
      );
      expect(traced.tracing?.endpoint).toBe('http://jaeger:4318');
    }
    // Jaeger's OTLP receiver stays on the compose network; its UI is on the loopback only.
    expect(publishedPorts(services.jaeger)).toEqual([{ hostIp: '127.0.0.1', published: 16686, target: 16686 }]);
    expect(services.jaeger.image).toMatch(/^jaegertracing\/jaeger:2\./);
  });

  test('the Temporal dev server listens on the compose network, keeps its data, and registers the search attributes', () => {
    const command: string[] = services.temporal.command;
    expect(services.temporal.image).toMatch(/^temporalio\/temporal:/);
    expect(command.slice(0, 2)).toEqual(['server', 'start-dev']);
    expect(command[command.indexOf('--ip') + 1]).toBe('0.0.0.0');
    expect(command[command.indexOf('--db-filename') + 1]).toMatch(/^\/data\//);
    expect(command.filter((_, i) => command[i - 1] === '--search-attribute').sort()).toEqual([
      'ApplicationStage=Keyword',
      'JobId=Keyword',
      'NeedsDecision=Bool',
      'PipelineVersion=Int',
      'StageKind=Keyword',
    ]);
  });

  test('Temporal is never published beyond localhost: its frontend not at all, the Web UI on the loopback only', () => {
    const ports = publishedPorts(services.temporal);
    expect(ports.find((p) => p.target === 7233)).toBeUndefined();
    expect(ports).toEqual([{ hostIp: '127.0.0.1', published: 8233, target: 8233 }]);
  });

  test('only the API publishes a port beyond localhost', () => {
    const open = Object.entries(services).flatMap(([name, service]) =>
      publishedPorts(service)
        .filter((p) => p.hostIp !== '127.0.0.1' && p.hostIp !== '::1')
        .map((p) => `${name}:${p.target}`),
    );
    expect(open).toEqual(['api:8000']);
  });

  test.each(['worker', 'notifier'])('%s can be scaled: no fixed name, no published port', (name) => {
    expect(services[name].container_name).toBeUndefined();
    expect(services[name].ports).toBeUndefined();
  });

  test.each(['api', 'worker', 'notifier'])('%s runs its own entry point after migrations, Temporal and Redis are ready', (name) => {
    const service = services[name];
    // Its Node flags in between are process-settings.test.ts's to check.
    expect([service.command[0], service.command.at(-1)]).toEqual(['node', `dist/src/main/${name}.js`]);
    expect(fs.existsSync(path.join(ROOT, `src/main/${name}.ts`))).toBe(true);
    expect(service.depends_on).toEqual({
      temporal: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
      migrate: { condition: 'service_completed_successfully' },
    });
  });

  test('the application environment is a valid production configuration', () => {
    const env = interpolate(services.worker.environment, { SECRET_KEY: 'x'.repeat(64) });
    const config = loadConfig(env);
    expect(config.env).toBe('production');
    expect(config.database.file).toBe('/data/ats.db');
    expect(config.temporal.address).toBe('temporal:7233');
    expect(config.redisUrl).toBe('redis://redis:6379/0');
  });

  test('SECRET_KEY must be supplied, never defaulted', () => {
    expect(services.api.environment.SECRET_KEY).toMatch(/^\$\{SECRET_KEY:\?/);
  });

  test('the image builds from a Dockerfile that exists', () => {
    const build = services.api.build;
    expect(fs.existsSync(path.join(ROOT, build.context, build.dockerfile))).toBe(true);
  });
});

describe('docker-compose.production.yml', () => {
  const production = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.production.yml'), 'utf8'), { merge: true });
  const prod = production.services as Record<string, any>;

  test('PostgreSQL, the full Temporal server with its schema set up by admin-tools, the Web UI, Redis, and the three pools', () => {
    expect(Object.keys(prod).sort()).toEqual([
      'api',
      'migrate',
      'notifier',
      'postgresql',
      'redis',
      'temporal',
      'temporal-schema',
      'temporal-setup',
      'temporal-ui',
      'worker',
    ]);
    expect(prod.postgresql.image).toMatch(/^postgres:/);
    expect(prod.temporal.image).toMatch(/^temporalio\/server:/);
    expect(prod.temporal.environment.DB).toBe('postgres12');
    expect(prod['temporal-schema'].image).toMatch(/^temporalio\/admin-tools:/);
    expect(prod['temporal-schema'].command.join('\n')).toMatch(/setup-schema[\s\S]*update-schema/);
    expect(prod.temporal.depends_on).toEqual({ 'temporal-schema': { condition: 'service_completed_successfully' } });
    expect(prod['temporal-setup'].command.join('\n')).toContain(
      '--name ApplicationStage --type Keyword --name JobId --type Keyword --name NeedsDecision --type Bool --name PipelineVersion --type Int --name StageKind --type Keyword',
    );
    expect(prod['temporal-ui'].image).toMatch(/^temporalio\/ui:/);
  });

  test('Redis keeps an append-only file fsynced every second', () => {
    const command: string[] = prod.redis.command;
    expect(command[command.indexOf('--appendonly') + 1]).toBe('yes');
    expect(command[command.indexOf('--appendfsync') + 1]).toBe('everysec');
    expect(prod.redis.volumes).toEqual(['redis-data:/data']);
  });

  test.each(['api', 'worker', 'notifier'])(
    '%s is a pool of its own with replicas, started after the schema, migrations and Redis',
    (name) => {
      expect(prod[name].deploy.replicas).toBeGreaterThanOrEqual(2);
      expect(prod[name].container_name).toBeUndefined();
      expect([prod[name].command[0], prod[name].command.at(-1)]).toEqual(['node', `dist/src/main/${name}.js`]);
      expect(prod[name].depends_on).toEqual({
        'temporal-setup': { condition: 'service_completed_successfully' },
        redis: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
    },
  );

  test("only the API publishes a port beyond localhost; Temporal's frontend is not published at all", () => {
    const open = Object.entries(prod).flatMap(([name, service]) =>
      publishedPorts(service)
        .filter((p) => p.hostIp !== '127.0.0.1' && p.hostIp !== '::1')
        .map((p) => `${name}:${p.target}`),
    );
    expect(open).toEqual(['api:8000']);
    expect(publishedPorts(prod.temporal)).toEqual([]);
    expect(publishedPorts(prod['temporal-ui'])).toEqual([{ hostIp: '127.0.0.1', published: 8233, target: 8080 }]);
  });

  test('the application environment is a production configuration on PostgreSQL and the cluster', () => {
    const env = interpolate(prod.worker.environment, { SECRET_KEY: 'x'.repeat(64), POSTGRES_PASSWORD: 'pw' });
    expect(env.DATABASE_URL).toBe('postgresql://ats:pw@postgresql:5432/ats');
    let problems: string[] = [];
    try {
      const config = loadConfig(env);
      expect(config.temporal.workerTuning).toEqual({
        maxConcurrentWorkflowTaskExecutions: 100,
        maxConcurrentActivityTaskExecutions: 50,
        maxCachedWorkflows: 200,
      });
    } catch (err) {
      problems = (err as { problems?: string[] }).problems ?? [String(err)];
    }
    // Where this build's loader accepts SQLite only, the PostgreSQL URL is the one refusal allowed.
    expect(problems.filter((p) => !p.startsWith('DATABASE_URL'))).toEqual([]);
    expect(() => interpolate(prod.worker.environment, { SECRET_KEY: 'x'.repeat(64) })).toThrow(/POSTGRES_PASSWORD/);
  });
});
