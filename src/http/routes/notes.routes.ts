import type Router from '@koa/router';
import type { Context } from 'koa';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Services } from '../../services';
import type { User } from '../../db/entities/user.entity';
import { ForbiddenError, NotFoundError } from '../../domain/errors';
import { toDbId } from '../../domain/ids';
import { assertMayUseNotes } from '../../applications/notes-access';
import { createNote, decodeNoteCursor, deleteNote, encodeNoteCursor, findNote, listNotes, type NoteRecord } from '../../applications/notes';
import { defineRoute } from '../route';
import { ApplicationIdParams } from '../schemas/application.schemas';
import { NoteBody, NoteIdParams, NoteListQuery, NotePage, NoteJson } from '../schemas/note.schemas';

const TAGS = ['notes'];
const HIDDEN =
  "No such application, or one the caller may not see (candidates always; staff off the job's hiring team; an `interviewer` without an interview on it)";

const toNoteJson = (n: NoteRecord) => ({
  id: String(n.id),
  applicationId: n.applicationId,
  author: { id: String(n.authorId), fullName: n.authorName },
  body: n.body,
  createdAt: n.createdAt,
});

/** The hiring team's notes on an application: written once, read oldest first, deleted by their author or an admin. */
export function noteRoutes(router: Router, registry: OpenAPIRegistry, services: Services): void {
  /**
   * Checked before the body is validated and before a keyed request's stored answer is replayed, so
   * someone who may not see the application learns nothing, and one who lost access gets the 404.
   */
  const guardVisible = (ctx: Context) => assertMayUseNotes(services.orm.em, ctx.state.user as User, String(ctx.params.id));

  defineRoute(router, registry, services, {
    method: 'post',
    path: '/api/applications/{id}/notes',
    summary: 'Write a note about an application',
    description:
      "Admins, the job's `recruiter` and `hiring_manager` team members, and an `interviewer` with an interview on it. Notes are immutable: there is no edit, only a delete.",
    tags: TAGS,
    auth: 'any',
    params: ApplicationIdParams,
    body: NoteBody,
    guard: guardVisible,
    idempotent: true,
    responses: {
      201: { description: 'The note', schema: NoteJson },
      404: { description: HIDDEN },
    },
    async handler(ctx, { params, body, user }) {
      const note = await createNote(services.orm.em, params.id, user.id, body.body);
      ctx.status = 201;
      ctx.body = toNoteJson(note);
    },
  });

  defineRoute(router, registry, services, {
    method: 'get',
    path: '/api/applications/{id}/notes',
    summary: "List an application's notes, oldest first",
    tags: TAGS,
    auth: 'any',
    params: ApplicationIdParams,
    query: NoteListQuery,
    guard: guardVisible,
    responses: {
      200: { description: 'One page of notes', schema: NotePage },
      404: { description: HIDDEN },
    },
    async handler(ctx, { params, query }) {
      const after = query.cursor === undefined ? undefined : decodeNoteCursor(query.cursor);
      // One row more than the page says whether another page follows.
      const rows = await listNotes(services.orm.em, params.id, query.limit + 1, after);
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      ctx.body = {
        items: page.map(toNoteJson),
        nextCursor: rows.length > query.limit ? encodeNoteCursor({ createdAt: last.createdAt, id: last.id }) : null,
      };
    },
  });

  defineRoute(router, registry, services, {
    method: 'delete',
    path: '/api/notes/{id}',
    summary: 'Delete a note (its author, or an admin)',
    description: 'Nothing of the note is kept.',
    tags: TAGS,
    auth: 'any',
    params: NoteIdParams,
    responses: {
      204: { description: 'Deleted' },
      403: { description: "The caller may see the note's application but did not write the note (`not_note_author`)" },
      404: { description: 'No such note, or one about an application the caller may not see' },
    },
    async handler(ctx, { params, user }) {
      const id = toDbId(params.id);
      const note = id === undefined ? null : await findNote(services.orm.em, id);
      if (!note) throw new NotFoundError('Note not found.');
      await assertMayUseNotes(services.orm.em, user, note.applicationId).catch(() => {
        throw new NotFoundError('Note not found.');
      });
      if (user.role !== 'admin' && note.authorId !== user.id)
        throw new ForbiddenError('Only its author or an admin deletes a note.', 'not_note_author');
      await deleteNote(services.orm.em, note.id);
      ctx.status = 204;
    },
  });
}
