import { z } from '../openapi';

/** Path ids are strings to clients; anything that is not a database id simply names nothing (404). */
export const IdParams = z.object({
  id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: '42' }),
});

export { toDbId } from '../../domain/ids';
