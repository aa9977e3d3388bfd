import { ConfigError, loadConfig, sqliteFileFromUrl } from '../../src/config';

const STRONG = 'f'.repeat(64);

describe('loadConfig', () => {
  test('the original variable names and defaults', () => {
    const config = loadConfig({});
    expect(config.auth).toMatchObject({ algorithm: 'HS256', accessTokenExpireMinutes: 60 });
    expect(config.database).toEqual({ url: 'sqlite:///./dev.db', file: 'dev.db' });
    expect(config.redisUrl).toBe('redis://localhost:6379/0');
    expect(config.port).toBe(8000);
    expect(config.temporal).toMatchObject({ address: 'localhost:7233', namespace: 'default', uiUrl: 'http://localhost:8233' });
    expect(config.mail.smtpUrl).toBeUndefined();
  });

  test('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', ALGORITHM: 'RS256', ACCESS_TOKEN_EXPIRE_MINUTES: '-1', REDIS_URL: 'not a url' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'ALGORITHM', 'ACCESS_TOKEN_EXPIRE_MINUTES', 'REDIS_URL']) expect(message).toContain(name);
  });

  test.each([
    ['missing', undefined],
    ['short', 'short-secret'],
    ['a known example', 'your-secret-key'],
  ])('production refuses a %s SECRET_KEY', (_, secret) => {
    expect(() => loadConfig({ NODE_ENV: 'production', ...(secret ? { SECRET_KEY: secret } : {}) })).toThrow(/SECRET_KEY/);
  });

  test('production starts with a strong SECRET_KEY; development needs none', () => {
    expect(loadConfig({ NODE_ENV: 'production', SECRET_KEY: STRONG }).auth.secretKey).toBe(STRONG);
    expect(loadConfig({ NODE_ENV: 'development' }).auth.secretKey.length).toBeGreaterThan(0);
  });

  test('ADMIN_EMAIL and ADMIN_PASSWORD come together', () => {
    expect(() => loadConfig({ ADMIN_EMAIL: 'a@example.com' })).toThrow(/ADMIN_EMAIL and ADMIN_PASSWORD/);
    expect(loadConfig({ ADMIN_EMAIL: 'a@example.com', ADMIN_PASSWORD: 'long-enough' }).admin).toEqual({ email: 'a@example.com', password: 'long-enough' });
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
