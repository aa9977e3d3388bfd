import { randomBytes } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import { ENCRYPTED_ENCODING, ENCRYPTION_KEY_ID, PayloadEncryptionCodec } from '../../src/temporal/payload-encryption.codec';
import { parsePayloadKeys } from '../../src/crypto/payload-keys';
import { createDataConverter } from '../../src/temporal/data-converter';
import { loadConfig } from '../../src/config';

const utf8 = new TextEncoder();
const text = (bytes?: Uint8Array | null) => Buffer.from(bytes ?? []).toString('utf8');
const json = (value: unknown): Payload => ({ metadata: { encoding: utf8.encode('json/plain') }, data: utf8.encode(JSON.stringify(value)) });
const shown = (p: Payload) => ({ encoding: text(p.metadata?.encoding), data: text(p.data) });
const key = () => randomBytes(32).toString('base64');

describe('PayloadEncryptionCodec', () => {
  const oldKey = `k-2025:${key()}`;
  const newKey = `k-2026:${key()}`;
  const input = { applicationId: 'application-job1-candidate7', coverLetter: 'I have always wanted to work here.' };

  test('encrypts the whole payload under the active key, naming it, and decrypts back', async () => {
    const codec = new PayloadEncryptionCodec(parsePayloadKeys(oldKey));
    const [encrypted] = await codec.encode([json(input)]);
    expect(text(encrypted.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encrypted.metadata?.[ENCRYPTION_KEY_ID])).toBe('k-2025');
    expect(text(encrypted.data)).not.toContain('always wanted');
    expect(text(encrypted.data)).not.toContain('json/plain');
    expect(await codec.decode([encrypted])).toEqual([json(input)]);
  });

  test('rotation: after a new key becomes active, payloads under the old one still decode', async () => {
    const before = new PayloadEncryptionCodec(parsePayloadKeys(oldKey));
    const [old] = await before.encode([json(input)]);
    const after = new PayloadEncryptionCodec(parsePayloadKeys(`${oldKey},${newKey}`, 'k-2026'));
    const [fresh] = await after.encode([json(input)]);
    expect(text(fresh.metadata?.[ENCRYPTION_KEY_ID])).toBe('k-2026');
    expect(await after.decode([old, fresh])).toEqual([json(input), json(input)]);
    // Once the old key leaves the keyring, what it encrypted reads as null.
    const retired = new PayloadEncryptionCodec(parsePayloadKeys(newKey));
    expect((await retired.decode([old, fresh])).map(shown)).toEqual([{ encoding: 'json/plain', data: 'null' }, shown(json(input))]);
  });

  test.each([
    [
      'a flipped ciphertext byte',
      (p: Payload) => {
        const d = Buffer.from(p.data!);
        d[20] ^= 1;
        return { ...p, data: new Uint8Array(d) };
      },
    ],
    ['an unknown key id', (p: Payload) => ({ ...p, metadata: { ...p.metadata, [ENCRYPTION_KEY_ID]: utf8.encode('nope') } })],
    ['a truncated body', (p: Payload) => ({ ...p, data: p.data!.slice(0, 10) })],
  ])('%s decodes to JSON null, never an error', async (_, tamper) => {
    const refusals: string[] = [];
    const codec = new PayloadEncryptionCodec(parsePayloadKeys(oldKey), (r) => refusals.push(r));
    const [encrypted] = await codec.encode([json(input)]);
    expect((await codec.decode([tamper(encrypted)])).map(shown)).toEqual([{ encoding: 'json/plain', data: 'null' }]);
    expect(refusals).toHaveLength(1);
  });

  test('a payload never encrypted passes through (histories written before encryption)', async () => {
    const codec = new PayloadEncryptionCodec(parsePayloadKeys(oldKey));
    expect(await codec.decode([json(input)])).toEqual([json(input)]);
  });

  test('the data converter encrypts, then signs: the server sees neither the value nor its encoding', async () => {
    const { payloadCodecs } = createDataConverter('a-secret-key-of-the-api-and-workers', { payloadKeys: parsePayloadKeys(oldKey) });
    let payloads = [json(input)];
    for (const codec of payloadCodecs!) payloads = await codec.encode(payloads);
    expect(text(payloads[0].metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(payloads[0].metadata?.['ats-signature']).toBeDefined();
    for (const codec of [...payloadCodecs!].reverse()) payloads = await codec.decode(payloads);
    expect(payloads).toEqual([json(input)]);
  });
});

describe('payload key configuration', () => {
  const base = { NODE_ENV: 'test', SECRET_KEY: 'x'.repeat(40) };
  test('several keys need PAYLOAD_ACTIVE_KEY, which must be one of them; keys are 32 bytes', () => {
    expect(() => loadConfig({ ...base, PAYLOAD_KEYS: `a:${key()},b:${key()}` })).toThrow(/PAYLOAD_ACTIVE_KEY/);
    expect(() => loadConfig({ ...base, PAYLOAD_KEYS: `a:${key()}`, PAYLOAD_ACTIVE_KEY: 'b' })).toThrow(/not among the keys/);
    expect(() => loadConfig({ ...base, PAYLOAD_KEYS: 'a:c2hvcnQ=' })).toThrow(/32 bytes/);
    expect(loadConfig({ ...base, PAYLOAD_KEYS: `a:${key()},b:${key()}`, PAYLOAD_ACTIVE_KEY: 'b' }).auth.payloadKeys.active.id).toBe('b');
  });
  test('without keys configured, one is derived from SECRET_KEY', () => {
    expect(loadConfig(base).auth.payloadKeys.active.id).toMatch(/^derived-/);
  });
});
