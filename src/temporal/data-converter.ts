import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { derivedPayloadKeys, type PayloadKeyring } from '../crypto/payload-keys';
import { PayloadEncryptionCodec } from './payload-encryption.codec';
import { derivePayloadKey, PayloadSignatureCodec, PayloadSignatureVerifier } from './payload-signature.codec';

export interface DataConverterOptions {
  previousSecretKeys?: string[];
  /** The encryption keys; by default derived from the secret keys. */
  payloadKeys?: PayloadKeyring;
  logger?: Logger;
}

/**
 * The data converter of every Temporal client and worker of this system: payloads encrypted
 * (AES-256-GCM, keys from PAYLOAD_KEYS) and then signed with a key derived from SECRET_KEY, so API
 * and workers trust each other's messages and nothing else, and the server holds no readable value.
 * A client or worker without it talks past the application workflows: what it sends arrives as
 * `null`, and what it reads is ciphertext.
 */
export function createDataConverter(secretKey: string, options: DataConverterOptions = {}): DataConverter {
  const { keys, payloadKeys, onRefused, onUndecryptable } = codecParts(secretKey, options);
  // Codecs encode in order and decode in reverse. Encrypt, then sign: the signature covers the
  // ciphertext the server stores and is checked first on the way back, so a forged or foreign payload
  // becomes `null` before any key is tried on it; what was signed but does not decrypt (its key
  // removed from the keyring) becomes `null` too. GCM authenticates on its own, but only holders
  // of SECRET_KEY may speak to a workflow, and a payload key alone must not be enough.
  return { payloadCodecs: [new PayloadEncryptionCodec(payloadKeys, onUndecryptable), new PayloadSignatureCodec(keys, onRefused)] };
}

/**
 * The codec server's half of the chain: it encrypts and decrypts like the data converter, but only
 * verifies signatures. What it encodes is unsigned, so a workflow reads it as `null` and refuses it:
 * a Web UI or CLI user can read what they may, and speak for no one.
 */
export function codecServerCodecs(
  auth: Config['auth'],
  logger?: Logger,
): { encryption: PayloadEncryptionCodec; signatures: PayloadSignatureVerifier } {
  const { keys, payloadKeys, onUndecryptable } = codecParts(auth.secretKey, {
    previousSecretKeys: auth.previousSecretKeys,
    payloadKeys: auth.payloadKeys,
    logger,
  });
  // A refused signature is the codec server's everyday answer to a payload sent from the UI: no warning.
  return { encryption: new PayloadEncryptionCodec(payloadKeys, onUndecryptable), signatures: new PayloadSignatureVerifier(keys) };
}

function codecParts(secretKey: string, options: DataConverterOptions) {
  const { previousSecretKeys = [], logger } = options;
  const onRefused =
    logger && ((reason: string) => logger.warn({ reason }, 'a Temporal payload without a valid signature was read as null'));
  const onUndecryptable =
    logger && ((reason: string) => logger.warn({ reason }, 'a Temporal payload that does not decrypt was read as null'));
  // The current key signs; previous ones still verify what they signed, so running applications
  // survive a change of SECRET_KEY.
  const keys = [secretKey, ...previousSecretKeys].map(derivePayloadKey);
  const payloadKeys = options.payloadKeys ?? derivedPayloadKeys(secretKey, previousSecretKeys);
  return { keys, payloadKeys, onRefused, onUndecryptable };
}

/** The data converter for a process's configuration. */
export function dataConverterFor(auth: Config['auth'], logger?: Logger): DataConverter {
  return createDataConverter(auth.secretKey, { previousSecretKeys: auth.previousSecretKeys, payloadKeys: auth.payloadKeys, logger });
}
