import { createHash, hkdfSync } from 'node:crypto';
import fs from 'node:fs';

/** One AES-256 key and the id that names it in every payload it encrypted. */
export interface PayloadKey {
  id: string;
  key: Buffer;
}

/** Every key that still decrypts, and the one that encrypts from now on. */
export interface PayloadKeyring {
  active: PayloadKey;
  keys: Map<string, PayloadKey>;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const DERIVATION_LABEL = 'ats/temporal-payload-encryption/v1';

/**
 * Parses `id1:base64key,id2:base64key` (commas or newlines between entries, the key file's format
 * too). Each key is 32 random bytes in base64 (`openssl rand -base64 32`). Throws a message naming
 * what is wrong and never the key itself.
 */
export function parsePayloadKeys(text: string, activeId?: string): PayloadKeyring {
  const keys = new Map<string, PayloadKey>();
  for (const entry of text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s && !s.startsWith('#'))) {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    if (!KEY_ID.test(id)) throw new Error('each entry is id:base64key, the id made of letters, digits, ".", "_" or "-"');
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (key.length !== 32) throw new Error(`key ${id} is not 32 bytes of base64 (use \`openssl rand -base64 32\`)`);
    if (keys.has(id)) throw new Error(`key ${id} is listed twice`);
    keys.set(id, { id, key });
  }
  if (!keys.size) throw new Error('no key listed');
  if (activeId === undefined && keys.size > 1) throw new Error('several keys: name the one that encrypts in PAYLOAD_ACTIVE_KEY');
  const active = activeId === undefined ? [...keys.values()][0] : keys.get(activeId);
  if (!active) throw new Error(`PAYLOAD_ACTIVE_KEY ${activeId} is not among the keys`);
  return { active, keys };
}

/** The keyring of a file holding the same entries, one a line. */
export function readPayloadKeyFile(file: string, activeId?: string): PayloadKeyring {
  return parsePayloadKeys(fs.readFileSync(file, 'utf8'), activeId);
}

/**
 * Without configured keys, one derived (HKDF-SHA256) from each SECRET_KEY value, the current one
 * active: a single secret to manage, at the price of tying the payload key to SECRET_KEY's rotation
 * (previous secrets keep decrypting what they encrypted). Production sets PAYLOAD_KEYS.
 */
export function derivedPayloadKeys(secretKey: string, previousSecretKeys: string[] = []): PayloadKeyring {
  const derived = [secretKey, ...previousSecretKeys].map((secret): PayloadKey => {
    const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), DERIVATION_LABEL, 32));
    return { id: `derived-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`, key };
  });
  return { active: derived[0], keys: new Map(derived.map((k) => [k.id, k])) };
}
