import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SqlEntityManager as EntityManager } from '@mikro-orm/sql';
import type { PayloadKeyring } from './payload-keys';
import { dataKeyOf, ensureDataKey } from './candidate-keys';

/**
 * Personal fields as they travel through workflows: `ats-pd:v1:<candidateId>:<base64 iv|ciphertext|tag>`,
 * sealed under the candidate's data key. The workflow only carries them; the API, the recording
 * activity and the codec server (for recruiters) unseal them. Once the candidate's key is destroyed
 * they stay ciphertext in every history, whatever payload key still opens the payload around them.
 */
const PREFIX = 'ats-pd:v1:';
const SEALED = /^ats-pd:v1:(\d+):([A-Za-z0-9+/=]+)$/;

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && SEALED.test(value);
}

export function seal(dataKey: Buffer, candidateId: number, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
  cipher.setAAD(Buffer.from(String(candidateId)));
  const body = Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${PREFIX}${candidateId}:${body.toString('base64')}`;
}

/** The plaintext, or null when the key is gone (erased) or the value does not open. */
export function open(dataKey: Buffer | null, sealed: string): string | null {
  const match = SEALED.exec(sealed);
  if (!match || !dataKey) return null;
  try {
    const data = Buffer.from(match[2], 'base64');
    const decipher = createDecipheriv('aes-256-gcm', dataKey, data.subarray(0, 12));
    decipher.setAAD(Buffer.from(match[1]));
    decipher.setAuthTag(data.subarray(data.length - 16));
    return Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

export function candidateOf(sealed: string): number | null {
  const match = SEALED.exec(sealed);
  return match ? Number(match[1]) : null;
}

export interface PersonalContent {
  coverLetter: string | null;
  resumeUrl: string | null;
}

/** Seals the personal fields a workflow is started with. */
export async function sealContent(
  em: EntityManager,
  keyring: PayloadKeyring,
  candidateId: number,
  content: PersonalContent,
): Promise<PersonalContent> {
  const key = await ensureDataKey(em, keyring, candidateId);
  const sealOne = (v: string | null) => (v === null ? null : seal(key, candidateId, v));
  return { coverLetter: sealOne(content.coverLetter), resumeUrl: sealOne(content.resumeUrl) };
}

/**
 * Opens every sealed string inside a value (fields that were never sealed pass as they are), one key
 * lookup per candidate. A value whose key is destroyed becomes null.
 */
export async function openDeep<T>(em: EntityManager, keyring: PayloadKeyring, value: T): Promise<T> {
  const keys = new Map<number, Buffer | null>();
  const keyFor = async (id: number) => {
    if (!keys.has(id)) keys.set(id, await dataKeyOf(em, keyring, id));
    return keys.get(id)!;
  };
  const walk = async (v: unknown): Promise<unknown> => {
    if (isSealed(v)) return open(await keyFor(candidateOf(v)!), v);
    if (Array.isArray(v)) return Promise.all(v.map(walk));
    if (v && typeof v === 'object') {
      const entries = await Promise.all(Object.entries(v).map(async ([k, x]) => [k, await walk(x)] as const));
      return Object.fromEntries(entries);
    }
    return v;
  };
  return (await walk(value)) as T;
}
