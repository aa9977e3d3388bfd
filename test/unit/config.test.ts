import { ConfigError, loadConfig, sqliteFileFromUrl } from '../../src/config';

const STRONG = 'f'.repeat(64);

describe('loadConfig', () => {
  test('the original variable names and defaults', () => {
    const config = loadConfig({ SECRET_KEY: STRONG });
    expect(config.auth).toMatchObject({ algorithm: 'HS256', accessTokenExpireMinutes: 60 });
    expect(config.database).toEqual({ dialect: 'sqlite', url: 'sqlite:///./dev.db', file: 'dev.db' });
    expect(config.redisUrl).toBe('redis://localhost:6379/0');
    expect(config.port).toBe(8000);
    expect(config.temporal).toMatchObject({ address: 'localhost:7233', namespace: 'default', uiUrl: 'http://localhost:8233' });
    expect(config.mail.smtpUrl).toBeUndefined();
  });

  test('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ SECRET_KEY: STRONG, PORT: 'eighty', ALGORITHM: 'RS256', ACCESS_TOKEN_EXPIRE_MINUTES: '-1', REDIS_URL: 'not a url' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'ALGORITHM', 'ACCESS_TOKEN_EXPIRE_MINUTES', 'REDIS_URL']) expect(message).toContain(name);
  });

  test.each([['postgresql://ats:secret@db.internal:5432/ats'], ['postgres://ats@127.0.0.1/ats_test']])(
    'DATABASE_URL %s selects PostgreSQL',
    (url) => {
      expect(loadConfig({ SECRET_KEY: STRONG, DATABASE_URL: url }).database).toEqual({ dialect: 'postgresql', url });
    },
  );

  test.each([
    ['postgresql://db.internal:5432', /DATABASE_URL: a PostgreSQL URL names a host and a database/],
    ['postgresql:///ats', /DATABASE_URL: a PostgreSQL URL names a host and a database/],
    ['mysql://db/ats', /DATABASE_URL: use a SQLite URL .* or a PostgreSQL URL/],
  ])('DATABASE_URL %s is refused, named among the other bad variables', (url, message) => {
    let error: unknown;
    try {
      loadConfig({ SECRET_KEY: STRONG, DATABASE_URL: url, PORT: 'eighty' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain('PORT');
  });

  test.each([
    ['missing', undefined],
    ['short', 'short-secret'],
    ['a known example', 'your-secret-key'],
  ])('production refuses a %s SECRET_KEY', (_, secret) => {
    expect(() => loadConfig({ NODE_ENV: 'production', ...(secret ? { SECRET_KEY: secret } : {}) })).toThrow(/SECRET_KEY/);
  });

  test('production starts with a strong SECRET_KEY', () => {
    expect(loadConfig({ NODE_ENV: 'production', SECRET_KEY: STRONG }).auth.secretKey).toBe(STRONG);
  });

  test.each([
    ['development (explicit)', { NODE_ENV: 'development' }],
    ['development (NODE_ENV unset)', {}],
    ['production', { NODE_ENV: 'production' }],
    ['an empty SECRET_KEY', { NODE_ENV: 'development', SECRET_KEY: '' }],
  ])('without SECRET_KEY, %s refuses to start, naming it: there is no built-in key', (_, env) => {
    expect(() => loadConfig(env)).toThrow(/SECRET_KEY: required/);
  });

  test('outside tests a published example key is refused, even in development', () => {
    expect(() => loadConfig({ NODE_ENV: 'development', SECRET_KEY: 'development-secret-key-not-for-production' })).toThrow(/SECRET_KEY/);
    expect(loadConfig({ NODE_ENV: 'development', SECRET_KEY: 'a-local-key' }).auth.secretKey).toBe('a-local-key');
  });

  test('tests without SECRET_KEY get a random key per process, never a fixed one', () => {
    const a = loadConfig({ NODE_ENV: 'test' }).auth.secretKey;
    const b = loadConfig({ NODE_ENV: 'test' }).auth.secretKey;
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
  });

  test('METRICS_PORT opens a metrics listener on METRICS_HOST (loopback unless set); unset or empty, none', () => {
    expect(loadConfig({ SECRET_KEY: STRONG }).metrics).toEqual({ port: undefined, host: '127.0.0.1' });
    expect(loadConfig({ SECRET_KEY: STRONG, METRICS_PORT: '' }).metrics.port).toBeUndefined();
    expect(loadConfig({ SECRET_KEY: STRONG, METRICS_PORT: '9464', METRICS_HOST: '10.0.0.5' }).metrics).toEqual({
      port: 9464,
      host: '10.0.0.5',
    });
    for (const port of ['0', '70000', 'nine']) expect(() => loadConfig({ SECRET_KEY: STRONG, METRICS_PORT: port })).toThrow(/METRICS_PORT/);
  });

  test('log-in budgets: 100 password checks per address and 20 successful log-ins per account, per 60 s, unless set', () => {
    expect(loadConfig({ SECRET_KEY: STRONG }).auth).toMatchObject({ loginMaxPerIp: 100, loginMaxPerAccount: 20, loginWindowSeconds: 60 });
    expect(
      loadConfig({ SECRET_KEY: STRONG, LOGIN_MAX_PER_IP: '300', LOGIN_MAX_PER_ACCOUNT: '5', LOGIN_WINDOW_SECONDS: '300' }).auth,
    ).toMatchObject({ loginMaxPerIp: 300, loginMaxPerAccount: 5, loginWindowSeconds: 300 });
    expect(() => loadConfig({ SECRET_KEY: STRONG, LOGIN_MAX_PER_IP: '0' })).toThrow(/LOGIN_MAX_PER_IP/);
  });

  test('ADMIN_EMAIL and ADMIN_PASSWORD come together', () => {
    expect(() => loadConfig({ SECRET_KEY: STRONG, ADMIN_EMAIL: 'a@example.com' })).toThrow(/ADMIN_EMAIL and ADMIN_PASSWORD/);
    expect(loadConfig({ SECRET_KEY: STRONG, ADMIN_EMAIL: 'a@example.com', ADMIN_PASSWORD: 'long-enough' }).admin).toEqual({
      email: 'a@example.com',
      password: 'long-enough',
    });
  });
});

describe('sqliteFileFromUrl', () => {
  test.each([
    ['sqlite:///./dev.db', 'dev.db'],
    ['sqlite:///data/ats.db', 'data/ats.db'],
    ['sqlite:////var/lib/ats.db', '/var/lib/ats.db'],
    ['sqlite://:memory:', ':memory:'],
    ['./plain.db', './plain.db'],
  ])('%s → %s', (url, file) => {
    expect(sqliteFileFromUrl(url)).toBe(file);
  });
});

describe('webhook settings', () => {
  const STRONG_KEY = 'a'.repeat(16) + 'b'.repeat(16) + 'c'.repeat(8);

  test('production refuses WEBHOOK_ALLOW_PRIVATE', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', SECRET_KEY: STRONG_KEY, WEBHOOK_ALLOW_PRIVATE: 'true' })).toThrow(
      /WEBHOOK_ALLOW_PRIVATE/,
    );
  });

  test('defaults: private delivery off, about a day of retries, a 10 s timeout', () => {
    const { webhooks } = loadConfig({ NODE_ENV: 'production', SECRET_KEY: STRONG_KEY });
    expect(webhooks).toMatchObject({ queueName: 'webhooks', concurrency: 10, allowPrivate: false, timeoutMs: 10_000 });
    expect(webhooks.retryDelaysMs.reduce((a, b) => a + b, 0)).toBeGreaterThan(24 * 3600_000);
  });

  test('WEBHOOK_RETRY_DELAYS_MS takes comma-separated milliseconds', () => {
    expect(loadConfig({ NODE_ENV: 'test', WEBHOOK_RETRY_DELAYS_MS: '10,20' }).webhooks.retryDelaysMs).toEqual([10, 20]);
    expect(() => loadConfig({ NODE_ENV: 'test', WEBHOOK_RETRY_DELAYS_MS: '10s' })).toThrow(/WEBHOOK_RETRY_DELAYS_MS/);
  });
});
