import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { devSecretKey } from '../../src/dev/dev-secret';

describe('devSecretKey', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ats-dev-secret-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('generates a random key once into var/secret-key, readable by its owner only, and reuses it', () => {
    const varDir = path.join(dir, 'var');
    const key = devSecretKey(varDir);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const file = path.join(varDir, 'secret-key');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(devSecretKey(varDir)).toBe(key);
    expect(devSecretKey(path.join(dir, 'other'))).not.toBe(key);
  });

  test('refuses a file that holds no usable key', () => {
    fs.writeFileSync(path.join(dir, 'secret-key'), 'short\n');
    expect(() => devSecretKey(dir)).toThrow(/secret-key/);
  });
});
