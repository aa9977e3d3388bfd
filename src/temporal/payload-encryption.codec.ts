import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { PayloadKeyring } from '../crypto/payload-keys';

/**
 * Encrypts every payload with AES-256-GCM under the keyring's active key; the key's id rides in the
 * metadata, so after a rotation the keys still listed decrypt what they encrypted. The whole inner
 * payload (its metadata and data) is the plaintext: the server sees only `binary/encrypted`.
 *
 * Decoding never throws, like the signature codec: a payload under an unknown key, or one whose tag
 * does not verify, reads as JSON `null`, which the workflows refuse on their own terms instead of
 * failing the workflow task on every retry. A payload that was never encrypted (histories written
 * before this codec existed) passes through unchanged; the signature codec has already vouched for it.
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const ENCRYPTION_KEY_ID = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const utf8 = new TextEncoder();
const NULL_PAYLOAD: Payload = { metadata: { encoding: utf8.encode('json/plain') }, data: utf8.encode('null') };

export type DecryptionRefusal = 'unknown_key' | 'undecryptable';

export class PayloadEncryptionCodec implements PayloadCodec {
  constructor(
    private readonly keyring: PayloadKeyring,
    private readonly onRefused?: (reason: DecryptionRefusal) => void,
  ) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keyring.active;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(id));
      const body = Buffer.concat([cipher.update(serialize(payload)), cipher.final()]);
      return {
        metadata: { encoding: utf8.encode(ENCRYPTED_ENCODING), [ENCRYPTION_KEY_ID]: utf8.encode(id) },
        data: new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()])),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
      const id = text(payload.metadata?.[ENCRYPTION_KEY_ID]);
      const key = id === undefined ? undefined : this.keyring.keys.get(id);
      if (!key || id === undefined) return this.refuse('unknown_key');
      try {
        const data = Buffer.from(payload.data ?? new Uint8Array());
        if (data.length < IV_BYTES + TAG_BYTES) return this.refuse('undecryptable');
        const decipher = createDecipheriv('aes-256-gcm', key.key, data.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(id));
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
        return deserialize(Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]));
      } catch {
        return this.refuse('undecryptable');
      }
    });
  }

  private refuse(reason: DecryptionRefusal): Payload {
    this.onRefused?.(reason);
    return NULL_PAYLOAD;
  }
}

function text(bytes: Uint8Array | null | undefined): string | undefined {
  return bytes ? Buffer.from(bytes).toString('utf8') : undefined;
}

/** The inner payload as JSON, bytes in base64: metadata values are bytes and need not be text. */
function serialize(payload: Payload): Buffer {
  const metadata = Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
  );
  return Buffer.from(JSON.stringify({ metadata, data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') }));
}

function deserialize(bytes: Buffer): Payload {
  const parsed = JSON.parse(bytes.toString('utf8')) as { metadata: Record<string, string>; data: string };
  const metadata = Object.fromEntries(Object.entries(parsed.metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]));
  return { metadata, data: new Uint8Array(Buffer.from(parsed.data, 'base64')) };
}
