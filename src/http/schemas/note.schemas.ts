import { z } from '../openapi';
import { NOTE_CURSOR } from '../../applications/notes';
import { Limit, pageSchema } from './pagination.schemas';
import { text } from './text.schemas';
import { requestBody } from './request-body.schemas';

export const NoteJson = z
  .object({
    id: z.string().openapi({ example: '12' }),
    applicationId: z.string(),
    author: z
      .object({
        id: z.string(),
        fullName: z.string().nullable().openapi({ description: '`null` when the author has no name, or their account was erased.' }),
      })
      .openapi({ description: 'Who wrote it.' }),
    body: z.string(),
    createdAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Note');

export const NotePage = pageSchema(NoteJson, 'NotePage');

export const NoteBody = requestBody(
  z.strictObject({
    body: text({ max: 10_000 }).openapi({ example: 'Strong system design; ask about on-call next round.' }),
  }),
).openapi('CreateNote');

export const NoteListQuery = z.object({
  limit: Limit,
  cursor: z
    .string()
    .regex(NOTE_CURSOR, 'Malformed cursor: pass back a nextCursor value unchanged.')
    .optional()
    .openapi({ description: 'The `nextCursor` of the previous page.' }),
});

export const NoteIdParams = z.object({
  // Any text: one that names no note is a 404.
  id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: '12' }),
});
