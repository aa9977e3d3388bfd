import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The signing key of a development machine: generated at random on the first `npm run dev`, kept in
 * `<varDir>/secret-key` readable by its owner only, and reused so tokens survive a restart.
 */
export function devSecretKey(varDir: string): string {
  const file = path.join(varDir, 'secret-key');
  fs.mkdirSync(varDir, { recursive: true });
  try {
    // `wx` fails if the file exists, so two runners starting at once never overwrite each other's key.
    fs.writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const key = fs.readFileSync(file, 'utf8').trim();
  if (key.length < 32) throw new Error(`${file} holds no usable key; delete it and start again`);
  return key;
}

/**
 * The payload encryption key of a development machine, in `<varDir>/payload-keys` (the format of
 * PAYLOAD_KEYS, one key a line): generated once, so histories written before a restart still decrypt.
 */
export function devPayloadKeyFile(varDir: string): string {
  const file = path.join(varDir, 'payload-keys');
  fs.mkdirSync(varDir, { recursive: true });
  try {
    fs.writeFileSync(file, `dev-1:${randomBytes(32).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return file;
}
