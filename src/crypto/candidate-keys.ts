import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SqlEntityManager as EntityManager } from '@mikro-orm/sql';
import type { PayloadKeyring } from './payload-keys';

/**
 * Per-candidate data keys: 32 random bytes each, stored wrapped by the active payload key (AES-256-GCM,
 * the candidate's id as associated data, so a wrapped key copied onto another candidate's row does
 * not unwrap). Destroying the row is the erasure: nothing else can decrypt what the key sealed.
 */
interface KeyRow {
  masterKeyId: string;
  wrappedKey: string;
}

const AAD = (userId: number) => Buffer.from(`ats/candidate-data-key/${userId}`);

export async function dataKeyOf(em: EntityManager, keyring: PayloadKeyring, userId: number): Promise<Buffer | null> {
  const [row] = await em.execute<KeyRow[]>(
    'select master_key_id as "masterKeyId", wrapped_key as "wrappedKey" from candidate_data_keys where user_id = ?',
    [userId],
    'all',
  );
  return row ? unwrap(keyring, userId, row) : null;
}

/** The candidate's key, created on first use; two racing first uses agree on one. */
export async function ensureDataKey(em: EntityManager, keyring: PayloadKeyring, userId: number): Promise<Buffer> {
  const existing = await dataKeyOf(em, keyring, userId);
  if (existing) return existing;
  const { id, key } = keyring.active;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(AAD(userId));
  const fresh = randomBytes(32);
  const wrapped = Buffer.concat([iv, cipher.update(fresh), cipher.final(), cipher.getAuthTag()]).toString('base64');
  const inserted = await em.execute<{ affectedRows: number }>(
    'insert into candidate_data_keys (user_id, master_key_id, wrapped_key, created_at) values (?, ?, ?, ?) on conflict (user_id) do nothing',
    [userId, id, wrapped, new Date().toISOString()],
    'run',
  );
  // Ours is stored: no need to read it back. Otherwise a racing first use stored its key, which both use.
  if (inserted.affectedRows === 1) return fresh;
  const key2 = await dataKeyOf(em, keyring, userId);
  if (!key2) throw new Error(`the data key of user ${userId} does not unwrap with the configured payload keys`);
  return key2;
}

/** Crypto-shredding: afterwards, every value sealed for this candidate stays ciphertext. */
export async function destroyDataKey(em: EntityManager, userId: number): Promise<void> {
  await em.execute('delete from candidate_data_keys where user_id = ?', [userId], 'run');
}

function unwrap(keyring: PayloadKeyring, userId: number, row: KeyRow): Buffer | null {
  const master = keyring.keys.get(row.masterKeyId);
  if (!master) return null;
  try {
    const data = Buffer.from(row.wrappedKey, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', master.key, data.subarray(0, 12));
    decipher.setAAD(AAD(userId));
    decipher.setAuthTag(data.subarray(data.length - 16));
    return Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
  } catch {
    return null;
  }
}
