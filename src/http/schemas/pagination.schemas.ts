import type { ZodType } from 'zod';
import { z } from '../openapi';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/**
 * Cursors are opaque to clients: base64url of the last row's id. Only the exact encoding of a
 * positive integer is accepted, so a hand-edited cursor is rejected rather than misread.
 */
export function encodeCursor(id: number): string {
  return Buffer.from(String(id), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): number | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[1-9]\d{0,15}$/.test(text)) return undefined;
  const id = Number(text);
  return Number.isSafeInteger(id) && encodeCursor(id) === cursor ? id : undefined;
}

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE)
    .openapi({ description: `Page size, 1–${MAX_PAGE_SIZE}.` }),
  cursor: z.string().refine((c) => decodeCursor(c) !== undefined, 'Malformed cursor: pass back a nextCursor value unchanged.').optional()
    .openapi({ description: 'The `nextCursor` of the previous page.' }),
});

export type PageQueryInput = z.output<typeof PageQuery>;

export function pageSchema<T extends ZodType>(item: T, name: string) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);
}

/** Rows were fetched newest first with `limit + 1`: the extra row only says whether a next page exists. */
export function toPage<R extends { id: number }, J>(rows: R[], limit: number, toJson: (row: R) => J): { items: J[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? encodeCursor(page[page.length - 1].id) : null;
  return { items: page.map(toJson), nextCursor };
}
