import type { ZodType } from 'zod';
import { z } from '../openapi';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/**
 * The cursor of id-ordered lists is the last row's id, in decimal without leading zeros and within
 * the safe-integer range. The pattern is published, and every value it admits is a harmless
 * position (rows with a smaller id), so no cursor the document allows is refused.
 */
const CURSOR = /^[1-9][0-9]{0,14}$/;

export function encodeCursor(id: number): string {
  return String(id);
}

export function decodeCursor(cursor: string): number | undefined {
  return CURSOR.test(cursor) ? Number(cursor) : undefined;
}

export const Limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_PAGE_SIZE)
  .default(DEFAULT_PAGE_SIZE)
  .openapi({
    type: 'integer',
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    default: DEFAULT_PAGE_SIZE,
    description: `Page size, 1–${MAX_PAGE_SIZE}.`,
  });

export const PageQuery = z.object({
  limit: Limit,
  cursor: z
    .string()
    .regex(CURSOR, 'Malformed cursor: pass back a nextCursor value unchanged.')
    .optional()
    .openapi({ description: 'The `nextCursor` of the previous page.' }),
});

export type PageQueryInput = z.output<typeof PageQuery>;

export function pageSchema<T extends ZodType>(item: T, name: string) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);
}

/** Rows were fetched newest first with `limit + 1`: the extra row only says whether a next page exists. */
export function toPage<R extends { id: number }, J>(
  rows: R[],
  limit: number,
  toJson: (row: R) => J,
): { items: J[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? encodeCursor(page[page.length - 1].id) : null;
  return { items: page.map(toJson), nextCursor };
}
