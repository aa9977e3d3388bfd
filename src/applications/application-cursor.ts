/**
 * Application lists page newest first on (createdAt, id). The cursor is the last row's key, opaque
 * to clients (base64url JSON); only the exact encoding of a well-formed key is accepted, so a
 * hand-edited cursor is refused rather than misread.
 */
export interface ApplicationCursor { createdAt: string; id: string }

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

export function encodeApplicationCursor(key: ApplicationCursor): string {
  return Buffer.from(JSON.stringify([key.createdAt, key.id]), 'utf8').toString('base64url');
}

export function decodeApplicationCursor(cursor: string): ApplicationCursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [createdAt, id] = value as unknown[];
    if (typeof createdAt !== 'string' || typeof id !== 'string' || !ISO_UTC.test(createdAt) || id.length > 200) return undefined;
    return encodeApplicationCursor({ createdAt, id }) === cursor ? { createdAt, id } : undefined;
  } catch {
    return undefined;
  }
}
