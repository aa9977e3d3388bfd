import { z } from '../openapi';

/** Path ids are strings to clients; anything that is not a database id simply names nothing (404). */
export const IdParams = z.object({
  id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: '42' }),
});

export function toDbId(id: string): number | undefined {
  if (!/^[1-9]\d{0,15}$/.test(id)) return undefined;
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : undefined;
}
