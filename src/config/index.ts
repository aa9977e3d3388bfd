import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { derivedPayloadKeys, parsePayloadKeys, readPayloadKeyFile, type PayloadKeyring } from '../crypto/payload-keys';
import { readTemporalSecurity, type TemporalSecurity } from './temporal-security';
import { readWorkerDeployment, type WorkerDeployment } from './worker-deployment';

/** About a day of retries after the first attempt, as the Standard Webhooks guidance suggests. */
export const DEFAULT_RETRY_DELAYS_MS = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 5 * 3600_000, 10 * 3600_000, 14 * 3600_000];

/** Secrets that appear in examples and must never protect a production deployment. */
const KNOWN_WEAK_SECRETS = new Set([
  'your-secret-key',
  'secret',
  'changeme',
  'change-me',
  'dev-secret-key',
  'development-secret-key-not-for-production',
]);
const MIN_PRODUCTION_SECRET_LENGTH = 32;

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optionalString = z.string().trim().min(1).optional().catch(undefined);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  SECRET_KEY: z.string().optional(),
  PREVIOUS_SECRET_KEYS: z.string().default(''),
  PAYLOAD_KEYS: optionalString,
  PAYLOAD_KEY_FILE: optionalString,
  PAYLOAD_ACTIVE_KEY: optionalString,
  ALGORITHM: z.literal('HS256', { message: 'only HS256 is supported' }).default('HS256'),
  ACCESS_TOKEN_EXPIRE_MINUTES: z.coerce.number().int().positive().default(60),
  DATABASE_URL: z
    .string()
    .default('sqlite:///./dev.db')
    .superRefine((url, ctx) => {
      const problem = databaseUrlProblem(url);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  REDIS_URL: z.string().url().default('redis://localhost:6379/0'),
  TEMPORAL_ADDRESS: z.string().default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('applications'),
  TEMPORAL_UI_URL: z.string().url().default('http://localhost:8233'),
  TEMPORAL_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().default('ATS <no-reply@ats.local>'),
  MAIL_OUTBOX_DIR: z.string().default('var/outbox'),
  WEB_APP_DIR: z.string().default('dist/web'),
  ADMIN_EMAIL: z.string().email().optional(),
  ADMIN_PASSWORD: z.string().min(8).optional(),
  CORS_ORIGINS: z.string().default(''),
  TRUST_PROXY: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  STAGE_SLA_SECONDS: seconds(3 * 24 * 3600),
  OFFER_EXPIRY_SECONDS: seconds(7 * 24 * 3600),
  SCORECARD_REMINDER_SECONDS: seconds(24 * 3600),
  SCORECARD_ESCALATION_SECONDS: seconds(3 * 24 * 3600),
  REOPEN_WINDOW_SECONDS: seconds(30 * 24 * 3600),
  NOTIFIER_CONCURRENCY: z.coerce.number().int().positive().default(10),
  NOTIFICATION_SWEEP_MS: z.coerce.number().int().positive().default(60_000),
  NOTIFICATION_SWEEP_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
  NOTIFICATION_QUEUE: z.string().default('notifications'),
  TRANSITION_SWEEP_MS: z.coerce.number().int().positive().default(15_000),
  TRANSITION_SWEEP_GRACE_MS: z.coerce.number().int().min(0).optional(),
  LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(5),
  LOGIN_BLOCK_SECONDS: seconds(15 * 60),
  PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().positive().default(2),
  PASSWORD_HASH_QUEUE_MAX: z.coerce.number().int().positive().default(32),
  SIGNUP_MAX_PER_IP: z.coerce.number().int().positive().default(10),
  SIGNUP_WINDOW_SECONDS: seconds(3600),
  LOGIN_MAX_PER_IP: z.coerce.number().int().positive().default(100),
  LOGIN_MAX_PER_ACCOUNT: z.coerce.number().int().positive().default(20),
  LOGIN_WINDOW_SECONDS: seconds(60),
  METRICS_PORT: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(1).max(65535).optional()),
  METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  WORKFLOW_BUNDLE_PATH: optionalString,
  RETENTION_DAYS: z.coerce.number().int().positive().optional(),
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_TLS: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional(),
  TEMPORAL_TLS_CERT: optionalString,
  TEMPORAL_TLS_KEY: optionalString,
  TEMPORAL_TLS_CA: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  WORKER_DEPLOYMENT_NAME: optionalString,
  WORKER_BUILD_ID: optionalString,
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().positive().optional(),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().positive().optional(),
  // Each cached application costs a worker about 0.2 MB; an application's messages come days apart,
  // so a bounded cache keeps a worker's memory flat for little replay (see bench/README.md).
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce
    .number()
    .int()
    .min(0)
    .refine((n) => n !== 1, 'must be 0 (no cache) or at least 2')
    .default(200),
  WEBHOOK_QUEUE: z.string().default('webhooks'),
  WEBHOOK_CONCURRENCY: z.coerce.number().int().positive().default(10),
  WEBHOOK_ALLOW_PRIVATE: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  WEBHOOK_RETRY_DELAYS_MS: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'comma-separated milliseconds')
    .optional(),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  // OpenTelemetry's own names: the SDK reads the other OTEL_* variables itself.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional()),
  OTEL_SERVICE_NAME: optionalString,
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  /**
   * `previousSecretKeys`: former SECRET_KEY values whose Temporal payload signatures still verify.
   * `payloadKeys`: the AES keys of Temporal payloads and of candidates' data keys.
   */
  auth: {
    secretKey: string;
    previousSecretKeys: string[];
    payloadKeys: PayloadKeyring;
    algorithm: 'HS256';
    accessTokenExpireMinutes: number;
    loginMaxFailures: number;
    loginBlockSeconds: number;
    hashConcurrency: number;
    hashQueueMax: number;
    signupMaxPerIp: number;
    signupWindowSeconds: number;
    loginMaxPerIp: number;
    loginMaxPerAccount: number;
    loginWindowSeconds: number;
  };
  /** `file` is SQLite's database file; PostgreSQL is reached by `url`. */
  database: { dialect: 'sqlite' | 'postgresql'; url: string; file?: string };
  redisUrl: string;
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    uiUrl: string;
    requestTimeoutMs: number;
    workflowBundlePath?: string;
    /** TLS and API key; none for the dev server. */
    security: TemporalSecurity;
    /** Worker Versioning, opt-in: unset, the worker is unversioned and takes every task of its queue. */
    deployment?: WorkerDeployment;
    /** Unset: the SDK's defaults. */
    workerTuning: {
      maxConcurrentWorkflowTaskExecutions?: number;
      maxConcurrentActivityTaskExecutions?: number;
      maxCachedWorkflows: number;
    };
  };
  mail: { smtpUrl?: string; from: string; outboxDir: string };
  /** The built web app served at /app, resolved once against the working directory like the other paths. */
  webAppDir: string;
  admin?: { email: string; password: string };
  corsOrigins: string[];
  /** Behind a load balancer: take the client address from the last X-Forwarded-For hop it added. */
  trustProxy: boolean;
  logLevel: Env['LOG_LEVEL'];
  /** A listener of its own for Prometheus, `/metrics` without authentication; no port: none (admins read it on the API's port). */
  metrics: { port?: number; host: string };
  /** `scorecardReminderSeconds` and `scorecardEscalationSeconds` count from an interview's end. */
  timers: {
    stageSlaSeconds: number;
    offerExpirySeconds: number;
    scorecardReminderSeconds: number;
    scorecardEscalationSeconds: number;
    /** How long a rejection by staff can be reopened (the application's workflow stays open that long). */
    reopenWindowSeconds: number;
  };
  notifier: { concurrency: number; queueName: string; sweepMs: number; sweepGraceMs: number };
  /** The API's sweep of stage changes a request left unrecorded; the grace outlasts any request's wait on Temporal. */
  transitions: { sweepMs: number; sweepGraceMs: number };
  /** `allowPrivate`: deliver to loopback and private addresses (development and tests only). */
  webhooks: { queueName: string; concurrency: number; allowPrivate: boolean; retryDelaysMs: number[]; timeoutMs: number };
  /** Applications final for longer lose their personal data (see activities/retention.activities.ts); unset: kept. */
  retentionDays?: number;
  /** OpenTelemetry traces go to this OTLP/HTTP collector; unset: no tracing, and the SDK is never loaded. */
  tracing?: { endpoint: string; serviceName?: string };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** `sqlite:///./dev.db` (the original form), `sqlite:///abs/path.db`, `sqlite://:memory:` or a bare path. */
export function sqliteFileFromUrl(url: string): string {
  if (url === ':memory:' || url === 'sqlite://:memory:' || url === 'sqlite:///:memory:') return ':memory:';
  const match = /^sqlite:\/\/\/?(.*)$/.exec(url);
  if (!match) return url;
  // `sqlite:///./dev.db` and `sqlite:///dev.db` are relative; `sqlite:////abs/dev.db` is absolute.
  const rest = url.startsWith('sqlite:////') ? `/${url.slice('sqlite:////'.length)}` : match[1];
  return rest === ':memory:' ? rest : path.normalize(rest);
}

/** Why `url` selects no database, or undefined: `postgresql://user:pass@host:port/db` (or `postgres://`), a SQLite URL or a `.db` path. */
function databaseUrlProblem(url: string): string | undefined {
  if (/^postgres(ql)?:/i.test(url)) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      /* reported below */
    }
    return parsed?.hostname && parsed.pathname.length > 1
      ? undefined
      : 'a PostgreSQL URL names a host and a database (postgresql://user:pass@host:5432/ats)';
  }
  if (!url.startsWith('sqlite:') && !url.endsWith('.db') && url !== ':memory:') {
    return 'use a SQLite URL (sqlite:///./dev.db) or a PostgreSQL URL (postgresql://user:pass@host:5432/ats)';
  }
  return undefined;
}

function databaseOf(url: string): Config['database'] {
  return /^postgres(ql)?:/i.test(url) ? { dialect: 'postgresql', url } : { dialect: 'sqlite', url, file: sqliteFileFromUrl(url) };
}

/** Parses and validates the whole environment at once; throws one error naming every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const env = parsed.data;
  const problems: string[] = [];
  const secretKey = checkSecretKey(env, problems);
  const temporalSecurity = readTemporalSecurity(env, problems);
  const deployment = readWorkerDeployment(env, problems);
  if ((env.ADMIN_EMAIL === undefined) !== (env.ADMIN_PASSWORD === undefined)) {
    problems.push('ADMIN_EMAIL and ADMIN_PASSWORD: set both or neither');
  }
  if (env.WEBHOOK_ALLOW_PRIVATE && env.NODE_ENV === 'production') {
    problems.push('WEBHOOK_ALLOW_PRIVATE: not in production (it lets webhooks reach internal addresses)');
  }
  const previousSecretKeys = env.PREVIOUS_SECRET_KEYS.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const payloadKeys = loadPayloadKeys(env, secretKey, previousSecretKeys, problems);
  if (problems.length || !payloadKeys) throw new ConfigError(problems);

  return {
    env: env.NODE_ENV,
    port: env.PORT,
    auth: {
      secretKey,
      previousSecretKeys,
      payloadKeys,
      algorithm: env.ALGORITHM,
      accessTokenExpireMinutes: env.ACCESS_TOKEN_EXPIRE_MINUTES,
      loginMaxFailures: env.LOGIN_MAX_FAILURES,
      loginBlockSeconds: env.LOGIN_BLOCK_SECONDS,
      hashConcurrency: env.PASSWORD_HASH_CONCURRENCY,
      hashQueueMax: env.PASSWORD_HASH_QUEUE_MAX,
      signupMaxPerIp: env.SIGNUP_MAX_PER_IP,
      signupWindowSeconds: env.SIGNUP_WINDOW_SECONDS,
      loginMaxPerIp: env.LOGIN_MAX_PER_IP,
      loginMaxPerAccount: env.LOGIN_MAX_PER_ACCOUNT,
      loginWindowSeconds: env.LOGIN_WINDOW_SECONDS,
    },
    database: databaseOf(env.DATABASE_URL),
    redisUrl: env.REDIS_URL,
    temporal: {
      address: env.TEMPORAL_ADDRESS,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      uiUrl: env.TEMPORAL_UI_URL.replace(/\/+$/, ''),
      requestTimeoutMs: env.TEMPORAL_REQUEST_TIMEOUT_MS,
      workflowBundlePath: env.WORKFLOW_BUNDLE_PATH,
      security: temporalSecurity,
      deployment,
      workerTuning: {
        ...(env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS && { maxConcurrentWorkflowTaskExecutions: env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS }),
        ...(env.WORKER_MAX_CONCURRENT_ACTIVITIES && { maxConcurrentActivityTaskExecutions: env.WORKER_MAX_CONCURRENT_ACTIVITIES }),
        maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
      },
    },
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM, outboxDir: env.MAIL_OUTBOX_DIR },
    webAppDir: path.resolve(env.WEB_APP_DIR),
    admin: env.ADMIN_EMAIL && env.ADMIN_PASSWORD ? { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD } : undefined,
    corsOrigins: env.CORS_ORIGINS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    trustProxy: env.TRUST_PROXY,
    logLevel: env.LOG_LEVEL,
    metrics: { port: env.METRICS_PORT, host: env.METRICS_HOST },
    timers: {
      stageSlaSeconds: env.STAGE_SLA_SECONDS,
      offerExpirySeconds: env.OFFER_EXPIRY_SECONDS,
      scorecardReminderSeconds: env.SCORECARD_REMINDER_SECONDS,
      scorecardEscalationSeconds: env.SCORECARD_ESCALATION_SECONDS,
      reopenWindowSeconds: env.REOPEN_WINDOW_SECONDS,
    },
    notifier: {
      concurrency: env.NOTIFIER_CONCURRENCY,
      queueName: env.NOTIFICATION_QUEUE,
      sweepMs: env.NOTIFICATION_SWEEP_MS,
      sweepGraceMs: env.NOTIFICATION_SWEEP_GRACE_MS,
    },
    transitions: {
      sweepMs: env.TRANSITION_SWEEP_MS,
      sweepGraceMs: env.TRANSITION_SWEEP_GRACE_MS ?? env.TEMPORAL_REQUEST_TIMEOUT_MS + 15_000,
    },
    webhooks: {
      queueName: env.WEBHOOK_QUEUE,
      concurrency: env.WEBHOOK_CONCURRENCY,
      allowPrivate: env.WEBHOOK_ALLOW_PRIVATE,
      retryDelaysMs: env.WEBHOOK_RETRY_DELAYS_MS?.split(',').map(Number) ?? DEFAULT_RETRY_DELAYS_MS,
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
    },
    retentionDays: env.RETENTION_DAYS,
    tracing: env.OTEL_EXPORTER_OTLP_ENDPOINT
      ? { endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: env.OTEL_SERVICE_NAME }
      : undefined,
  };
}

/**
 * There is no built-in key: a key everyone can read would let anyone forge an admin's token. Only
 * tests run without one, each process with a random key of its own; `npm run dev` keeps a generated
 * key in var/secret-key and passes it on.
 */
function checkSecretKey(env: Env, problems: string[]): string {
  const key = env.SECRET_KEY;
  if (key === undefined || key === '') {
    if (env.NODE_ENV === 'test') return randomBytes(32).toString('hex');
    problems.push(
      'SECRET_KEY: required (at least 32 random characters, e.g. `openssl rand -hex 32`); `npm run dev` generates one into var/secret-key',
    );
    return '';
  }
  if (env.NODE_ENV !== 'test' && KNOWN_WEAK_SECRETS.has(key.toLowerCase())) {
    problems.push('SECRET_KEY: a published example value; use random characters, e.g. `openssl rand -hex 32`');
  } else if (env.NODE_ENV === 'production' && key.length < MIN_PRODUCTION_SECRET_LENGTH) {
    problems.push(
      `SECRET_KEY: too weak for production (use at least ${MIN_PRODUCTION_SECRET_LENGTH} random characters, e.g. \`openssl rand -hex 32\`)`,
    );
  }
  return key;
}

/** PAYLOAD_KEYS, else PAYLOAD_KEY_FILE, else keys derived from SECRET_KEY (see derivedPayloadKeys). */
function loadPayloadKeys(env: Env, secretKey: string, previousSecretKeys: string[], problems: string[]): PayloadKeyring | undefined {
  try {
    if (env.PAYLOAD_KEYS) return parsePayloadKeys(env.PAYLOAD_KEYS, env.PAYLOAD_ACTIVE_KEY);
    if (env.PAYLOAD_KEY_FILE) return readPayloadKeyFile(env.PAYLOAD_KEY_FILE, env.PAYLOAD_ACTIVE_KEY);
  } catch (err) {
    problems.push(`${env.PAYLOAD_KEYS ? 'PAYLOAD_KEYS' : 'PAYLOAD_KEY_FILE'}: ${(err as Error).message}`);
    return undefined;
  }
  if (env.PAYLOAD_ACTIVE_KEY) problems.push('PAYLOAD_ACTIVE_KEY: set PAYLOAD_KEYS or PAYLOAD_KEY_FILE too');
  return secretKey ? derivedPayloadKeys(secretKey, previousSecretKeys) : undefined;
}
