import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** 24 random bytes, as Standard Webhooks' `whsec_` secrets are (the spec asks for 24 to 64). */
const SECRET_BYTES = 24;

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/**
 * Secrets are stored sealed (AES-256-GCM) under a key derived from SECRET_KEY, so a copy of the
 * database alone cannot forge deliveries. Former keys (PREVIOUS_SECRET_KEYS) still open them.
 */
export interface SecretBox {
  seal(secret: string): string;
  open(sealed: string): string;
}

const keyOf = (secretKey: string) => Buffer.from(hkdfSync('sha256', secretKey, 'ats-webhooks', 'webhook-secret-v1', 32));

export function createSecretBox(secretKey: string, previousKeys: readonly string[] = []): SecretBox {
  const current = keyOf(secretKey);
  const all = [current, ...previousKeys.map(keyOf)];
  return {
    seal(secret) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || !body) throw new Error('Not a sealed webhook secret.');
      for (const key of all) {
        try {
          const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
          decipher.setAuthTag(Buffer.from(tag, 'base64'));
          return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
        } catch {
          /* try the next key */
        }
      }
      throw new Error('The webhook secret does not open with SECRET_KEY or PREVIOUS_SECRET_KEYS.');
    },
  };
}
