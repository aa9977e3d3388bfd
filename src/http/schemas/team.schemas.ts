import { z } from '../openapi';
import { TEAM_ROLES } from '../../db/entities/job-team-member.entity';
import { IdParams } from './id.schemas';
import { UserJson } from './user.schemas';

export const TeamMemberParams = IdParams.extend({
  userId: z.string().openapi({ param: { name: 'userId', in: 'path' }, example: '7' }),
});

export const TeamRoleEnum = z.enum(TEAM_ROLES).openapi('TeamRole', {
  description:
    '`recruiter` runs the job (recruiters and admins only); `hiring_manager` reads and judges its applications; `interviewer` sees only the applications they interview.',
});

/** Ids are strings to clients; a bare integer is taken too. */
export const AddTeamMemberBody = z
  .strictObject({
    userId: z.union([z.string().max(32), z.number().int()]).openapi({ description: 'Id of a staff member.', example: '7' }),
    teamRole: TeamRoleEnum.optional(),
  })
  .openapi('AddTeamMember', { description: '`teamRole` defaults to `recruiter` for recruiters and `hiring_manager` for everyone else.' });

export const UpdateTeamMemberBody = z.strictObject({ teamRole: TeamRoleEnum }).openapi('UpdateTeamMember');

/** A user as `User` shows them, plus their place on this team; built from the fields, so `User` readers keep working. */
export const TeamMemberJson = z
  .object({ ...UserJson.shape, teamRole: TeamRoleEnum, addedAt: z.string().openapi({ format: 'date-time' }) })
  .openapi('TeamMember');

export const TeamMemberEnvelope = z.object({ user: TeamMemberJson }).openapi('TeamMemberEnvelope');

export const TeamJson = z.object({ items: z.array(TeamMemberJson) }).openapi('Team');
