import { z } from '../openapi';
import { IdParams } from './id.schemas';
import { UserJson } from './user.schemas';

export const TeamMemberParams = IdParams.extend({
  userId: z.string().openapi({ param: { name: 'userId', in: 'path' }, example: '7' }),
});

/** Ids are strings to clients; a bare integer is taken too. */
export const AddTeamMemberBody = z
  .strictObject({
    userId: z.union([z.string().max(32), z.number().int()]).openapi({ description: 'Id of a recruiter.', example: '7' }),
  })
  .openapi('AddTeamMember');

export const TeamJson = z.object({ items: z.array(UserJson) }).openapi('Team');
