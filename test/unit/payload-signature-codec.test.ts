import type { Payload } from '@temporalio/common';
import {
  derivePayloadKey,
  KEY_ID_KEY,
  PayloadSignatureCodec,
  PayloadSignatureVerifier,
  SIGNATURE_KEY,
} from '../../src/temporal/payload-signature.codec';

const utf8 = new TextEncoder();
const text = (bytes?: Uint8Array | null) => Buffer.from(bytes ?? []).toString('utf8');
const json = (value: unknown): Payload => ({ metadata: { encoding: utf8.encode('json/plain') }, data: utf8.encode(JSON.stringify(value)) });
const NULL = { encoding: 'json/plain', data: 'null' };
const shown = (p: Payload) => ({ encoding: text(p.metadata?.encoding), data: text(p.data) });

describe('PayloadSignatureCodec', () => {
  const key = derivePayloadKey('a-secret-key-of-the-api-and-workers');
  const codec = new PayloadSignatureCodec([key]);
  const request = { applicationId: 'application-job1-candidate7', stage: 'screening', by: '1' };

  test('signs in the metadata, leaving encoding and data readable, and verifies back to the same payload', async () => {
    const [signed] = await codec.encode([json(request)]);
    expect(shown(signed)).toEqual({ encoding: 'json/plain', data: JSON.stringify(request) });
    expect(text(signed.metadata?.[KEY_ID_KEY])).toBe(key.id);
    expect(signed.metadata?.[SIGNATURE_KEY]).toHaveLength(32);
    const [decoded] = await codec.decode([signed]);
    expect(decoded).toEqual(json(request));
  });

  test.each([
    ['no signature', (p: Payload) => ({ ...p, metadata: { encoding: p.metadata!.encoding } })],
    ['changed data', (p: Payload) => ({ ...p, data: utf8.encode(JSON.stringify({ ...request, stage: 'hired' })) })],
    ['changed encoding', (p: Payload) => ({ ...p, metadata: { ...p.metadata, encoding: utf8.encode('binary/plain') } })],
    ["another key's id", (p: Payload) => ({ ...p, metadata: { ...p.metadata, [KEY_ID_KEY]: utf8.encode('0000000000000000') } })],
    [
      'a truncated signature',
      (p: Payload) => ({ ...p, metadata: { ...p.metadata, [SIGNATURE_KEY]: p.metadata![SIGNATURE_KEY]!.slice(0, 16) } }),
    ],
  ])('%s decodes to JSON null, never an error', async (_, tamper) => {
    const refusals: string[] = [];
    const watched = new PayloadSignatureCodec([key], (reason) => refusals.push(reason));
    const [signed] = await watched.encode([json(request)]);
    const [decoded] = await watched.decode([tamper(signed)]);
    expect(shown(decoded)).toEqual(NULL);
    expect(decoded.metadata?.[SIGNATURE_KEY]).toBeUndefined();
    expect(refusals).toHaveLength(1);
  });

  test('a payload signed under another secret does not verify; one under a previous secret still does', async () => {
    const [foreign] = await new PayloadSignatureCodec([derivePayloadKey('someone-else')]).encode([json(request)]);
    expect(shown((await codec.decode([foreign]))[0])).toEqual(NULL);
    const rotated = new PayloadSignatureCodec([derivePayloadKey('the-new-secret'), key]);
    const [old] = await codec.encode([json(request)]);
    expect((await rotated.decode([old]))[0]).toEqual(json(request));
    // The new key signs: the old-only codec cannot read what the rotated one writes.
    const [fresh] = await rotated.encode([json(request)]);
    expect(shown((await codec.decode([fresh]))[0])).toEqual(NULL);
  });

  test('a re-encoded payload carries one fresh signature, and empty or undefined values round-trip', async () => {
    const undefinedValue: Payload = { metadata: { encoding: utf8.encode('binary/null') } };
    const signed = await codec.encode([undefinedValue, json('')]);
    expect(await codec.decode(await codec.encode(signed))).toEqual([undefinedValue, json('')]);
  });

  test('the key is derived, not the secret itself, and depends on the secret', () => {
    const secret = 'a-secret-key-of-the-api-and-workers';
    expect(key.key.equals(Buffer.from(secret))).toBe(false);
    expect(derivePayloadKey(secret)).toEqual(key);
    expect(derivePayloadKey(`${secret}x`).id).not.toBe(key.id);
  });

  test('the verifier checks what the codec signs and cannot sign: it has no encode, and its keys are out of reach', async () => {
    const verifier = new PayloadSignatureVerifier([key]);
    const [signed] = await codec.encode([json(request)]);
    expect(verifier.refusalOf(signed)).toBeNull();
    expect(await verifier.decode([signed])).toEqual([json(request)]);
    expect(verifier.refusalOf(json(request))).toBe('unsigned');
    expect(shown((await verifier.decode([json(request)]))[0])).toEqual(NULL);
    expect('encode' in verifier).toBe(false);
    // The keys are in a private field: the object's only property is the refusal callback.
    expect(Object.getOwnPropertyNames(verifier)).toEqual(['onRefused']);
  });
});
