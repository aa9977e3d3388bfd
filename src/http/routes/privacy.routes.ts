import type Router from '@koa/router';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { UserSchema, type User } from '../../db/entities/user.entity';
import { ForbiddenError, NotFoundError } from '../../domain/errors';
import type { Services } from '../../services';
import { defineRoute } from '../route';
import { IdParams, toDbId } from '../schemas/id.schemas';
import { NoFields } from '../schemas/request-body.schemas';
import { forgetIdempotentAnswers } from '../idempotency';
import { NoteJson } from '../schemas/note.schemas';
import { InterviewJson, ScorecardJson } from '../schemas/interview.schemas';
import { erasePersonalData, exportPersonalData, isErased } from '../../privacy/personal-data';

const StageEvent = z.object({
  applicationId: z.string(),
  seq: z.number(),
  from: z.string().nullable(),
  to: z.string(),
  at: z.string(),
  by: z.string().nullable(),
  reason: z.string().nullable(),
});
const PersonalDataExport = z
  .object({
    user: z.object({
      id: z.number(),
      email: z.string(),
      fullName: z.string().nullable(),
      role: z.string(),
      active: z.boolean(),
      createdAt: z.string(),
      updatedAt: z.string(),
    }),
    applications: z.array(
      z.object({
        id: z.string(),
        jobId: z.number(),
        candidateId: z.number(),
        stage: z.string(),
        seq: z.number(),
        coverLetter: z.string().nullable(),
        resumeUrl: z.string().nullable(),
        createdAt: z.string(),
        updatedAt: z.string(),
        history: z.array(StageEvent),
      }),
    ),
    notes: z.array(NoteJson).openapi({ description: "The notes about the person's applications, oldest first." }),
    interviews: z.array(InterviewJson).openapi({ description: "The interviews of the person's applications, by start." }),
    scorecards: z.array(ScorecardJson).openapi({ description: "The scorecards about the person's applications, oldest first." }),
  })
  .openapi('PersonalDataExport');
const Accepted = z.object({ status: z.literal('erased') }).openapi('ErasureAccepted');

/** GDPR: a person's data, and its erasure. Others learn nothing, not even that the account exists. */
export function privacyRoutes(router: Router, registry: OpenAPIRegistry, services: Services): void {
  /** `erased`: whether an erased account is found too (an erasure sent again finishes one that stopped half-way). */
  async function subject(id: string, actor: User, erased = false): Promise<User> {
    const dbId = toDbId(id);
    if (!dbId || (actor.role !== 'admin' && actor.id !== dbId)) throw new NotFoundError('No such user.');
    const user = await services.orm.em.fork().findOne(UserSchema, { id: dbId });
    if (!user || (isErased(user) && !erased)) throw new NotFoundError('No such user.');
    return user;
  }

  defineRoute(router, registry, services, {
    method: 'get',
    path: '/api/users/{id}/export',
    summary: "All of a person's data as JSON (the user themself, or an admin)",
    tags: ['Personal data'],
    auth: 'any',
    params: IdParams,
    responses: {
      200: {
        description: 'The account, its applications with their history, and the notes, interviews and scorecards about them',
        schema: PersonalDataExport,
      },
      404: { description: 'No such user, erased, or not yours' },
    },
    async handler(ctx, { params, user: actor }) {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = await exportPersonalData(services, await subject(params.id, actor));
    },
  });

  defineRoute(router, registry, services, {
    method: 'post',
    path: '/api/users/{id}/erase',
    summary: 'Erase a person: account and applications anonymized, running applications withdrawn, data key destroyed',
    description:
      'Admins erase anyone; a candidate may erase themself. Stage history is kept without personal fields. ' +
      'Erasing an erased account again (admins) finishes an erasure that stopped half-way, and changes nothing otherwise. ' +
      'The last active admin cannot be erased (409 `last_admin`).',
    tags: ['Personal data'],
    auth: 'any',
    params: IdParams,
    body: NoFields,
    bodyRequired: false,
    responses: {
      202: { description: 'Erased', schema: Accepted },
      403: { description: 'Only admins, or candidates for themselves' },
      404: { description: 'No such user, or not yours' },
      409: { description: 'The account is the last active admin (`last_admin`)' },
    },
    async handler(ctx, { params, user: actor }) {
      const user = await subject(params.id, actor, true);
      if (actor.role !== 'admin' && actor.role !== 'candidate') throw new ForbiddenError('Staff accounts are erased by an admin.');
      await erasePersonalData(services, user, actor.id);
      // Stored answers that show their applications (theirs, and staff's keyed changes), kept by the HTTP layer.
      await forgetIdempotentAnswers(services.redis, services.config, user.id);
      ctx.status = 202;
      ctx.body = { status: 'erased' };
    },
  });
}
