import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';

/**
 * Signs every payload the API and the workers hand to Temporal, and turns every payload that is not
 * signed with the shared key into JSON `null` on the way back. Anyone who can reach the Temporal
 * frontend can send a signal, an update or a start; only the API and the workers hold the key, so
 * only their messages reach a workflow's handlers as what they say.
 *
 * The signature rides in the payload's metadata: `encoding` and `data` stay as they are, so the Web
 * UI and the CLI still show readable JSON. Decoding never throws: a decode error would fail the
 * workflow task again on every retry and wedge the application, while `null` is a value the
 * workflow's handlers refuse on their own terms (see `isTrustedRequest` in workflows/stage-rules.ts).
 *
 * What passes through a codec in SDK 1.24: workflow and activity inputs and results, signal, update
 * and query arguments and answers, memo fields, and failure details. Search attributes and headers do
 * not (the server must index the former), so `ApplicationStage` and `JobId` stay searchable as they are.
 *
 * Only the API's and the workers' data converter signs. The codec server (`/codec/*`, for the Web UI
 * and the CLI) holds a verifier that cannot: whatever it encodes reaches a workflow as `null`.
 */
export const SIGNATURE_KEY = 'ats-signature';
export const KEY_ID_KEY = 'ats-key-id';

/** Fixed label of the derivation: a key derived for this purpose signs nothing else. */
const DERIVATION_LABEL = 'ats/temporal-payload-signature/v1';

const utf8 = new TextEncoder();
const NULL_PAYLOAD: Payload = { metadata: { encoding: utf8.encode('json/plain') }, data: utf8.encode('null') };

export interface SigningKey {
  id: string;
  key: Buffer;
}

/** The payload key derived (HKDF-SHA256) from the application secret; its id names it in metadata. */
export function derivePayloadKey(secret: string): SigningKey {
  const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), DERIVATION_LABEL, 32));
  // A fingerprint, not the key: which key signed a payload, readable by an operator.
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 16), key };
}

export type SignatureRefusal = 'unsigned' | 'unknown_key' | 'bad_signature';

/**
 * Checks signatures and never makes one: what the codec server holds, so nothing it hands out is
 * trusted by a workflow. The keys live in a true private field, out of reach of any caller.
 */
export class PayloadSignatureVerifier {
  readonly #keys: Map<string, Buffer>;

  constructor(
    keys: SigningKey[],
    private readonly onRefused?: (reason: SignatureRefusal) => void,
  ) {
    if (!keys.length) throw new Error('a payload signature check needs at least one key');
    this.#keys = new Map(keys.map((k) => [k.id, k.key]));
  }

  /** Why `payload` is not signed with one of the keys, or null when it is. */
  refusalOf(payload: Payload): SignatureRefusal | null {
    const signature = payload.metadata?.[SIGNATURE_KEY];
    const keyId = payload.metadata?.[KEY_ID_KEY];
    if (!signature || !keyId) return 'unsigned';
    const key = this.#keys.get(Buffer.from(keyId).toString('utf8'));
    if (!key) return 'unknown_key';
    const expected = mac(key, payload);
    return signature.length === expected.length && timingSafeEqual(signature, expected) ? null : 'bad_signature';
  }

  /** Each payload without its signature, or JSON `null` when the signature does not verify. */
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const refusal = this.refusalOf(payload);
      if (refusal) {
        this.onRefused?.(refusal);
        return NULL_PAYLOAD;
      }
      return unsigned(payload);
    });
  }
}

/** The API's and the workers' codec: `keys[0]` signs; every key verifies. */
export class PayloadSignatureCodec extends PayloadSignatureVerifier implements PayloadCodec {
  readonly #signing: SigningKey;

  /**
   * Every key verifies, so a key being retired can still read the histories it signed.
   * `onRefused` hears about each payload turned into `null` (for a log line or a metric).
   */
  constructor(keys: SigningKey[], onRefused?: (reason: SignatureRefusal) => void) {
    super(keys, onRefused);
    this.#signing = keys[0];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const metadata = unsigned(payload).metadata;
      return {
        ...payload,
        metadata: { ...metadata, [KEY_ID_KEY]: utf8.encode(this.#signing.id), [SIGNATURE_KEY]: mac(this.#signing.key, payload) },
      };
    });
  }
}

function unsigned(payload: Payload): Payload {
  const metadata = { ...payload.metadata };
  delete metadata[SIGNATURE_KEY];
  delete metadata[KEY_ID_KEY];
  return { ...payload, metadata };
}

/**
 * HMAC-SHA256 over the encoding and the data, each length-prefixed so that no split of the same
 * bytes between the two fields gives the same input.
 */
function mac(key: Buffer, payload: Payload): Uint8Array {
  const encoding = payload.metadata?.encoding ?? new Uint8Array();
  const data = payload.data ?? new Uint8Array();
  const hmac = createHmac('sha256', key);
  for (const part of [encoding, data]) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(part.length);
    hmac.update(length).update(part);
  }
  return new Uint8Array(hmac.digest());
}
