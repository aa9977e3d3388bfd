import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { derivePayloadKey, PayloadSignatureCodec } from './payload-signature.codec';

/**
 * The data converter of every Temporal client and worker of this system: payloads signed with a key
 * derived from SECRET_KEY, so API and workers (which share SECRET_KEY) trust each other's messages
 * and nothing else. A client or worker without it talks past the application workflows: what it
 * sends arrives as `null`, and what it reads is unsigned by its reckoning.
 */
export function createDataConverter(secretKey: string, options: { previousSecretKeys?: string[]; logger?: Logger } = {}): DataConverter {
  const { previousSecretKeys = [], logger } = options;
  const onRefused = logger && ((reason: string) => logger.warn({ reason }, 'a Temporal payload without a valid signature was read as null'));
  // The current key signs; previous ones still verify what they signed, so running applications
  // survive a change of SECRET_KEY.
  const keys = [secretKey, ...previousSecretKeys].map(derivePayloadKey);
  // Codecs encode in order and decode in reverse: one added later (encryption, say) goes before this
  // one, so the signature covers what is stored and is checked before anything else reads it.
  return { payloadCodecs: [new PayloadSignatureCodec(keys, onRefused)] };
}

/** The data converter for a process's configuration. */
export function dataConverterFor(auth: Config['auth'], logger?: Logger): DataConverter {
  return createDataConverter(auth.secretKey, { previousSecretKeys: auth.previousSecretKeys, logger });
}
