import { z } from '../openapi';
import { ROLES, type User } from '../../db/entities/user.entity';
import { pageSchema } from './pagination.schemas';

/** Trimmed and lower-cased before the format check, so `Ada@Example.COM ` and `ada@example.com` are one account. */
export const Email = z.string().trim().toLowerCase().max(254).pipe(z.email('Enter a valid e-mail address.'))
  .openapi({ type: 'string', format: 'email', example: 'ada@example.com' });

/** The upper bound only keeps a hash from being asked to chew on megabytes. */
export const Password = z.string().min(8, 'Use at least 8 characters.').max(1024, 'Use at most 1024 characters.')
  .openapi({ format: 'password', example: 'correct-horse-battery' });

export const FullName = z.string().trim().min(1).max(200).openapi({ example: 'Ada Lovelace' });
export const RoleEnum = z.enum(ROLES);

export const UserJson = z.object({
  id: z.string(),
  email: z.string(),
  role: RoleEnum,
  fullName: z.string().nullable(),
  createdAt: z.string().openapi({ format: 'date-time' }),
}).openapi('User');

/** Admins also see whether the account may sign in. */
export const AdminUserJson = UserJson.extend({ active: z.boolean() }).openapi('AdminUser');

export const UserEnvelope = z.object({ user: UserJson }).openapi('UserEnvelope');
export const AdminUserEnvelope = z.object({ user: AdminUserJson }).openapi('AdminUserEnvelope');
export const AdminUserPage = pageSchema(AdminUserJson, 'AdminUserPage');

export const CreateUserBody = z.strictObject({
  email: Email,
  password: Password,
  role: RoleEnum,
  fullName: FullName.optional(),
}).openapi('CreateUser');

/** Strict: anything beyond role and active (`email`, `passwordHash`, `id`, …) is a 422, never silently written. */
export const UpdateUserBody = z.strictObject({
  role: RoleEnum.optional(),
  active: z.boolean().optional(),
}).openapi('UpdateUser');

export function toUserJson(user: User): z.output<typeof UserJson> {
  return { id: String(user.id), email: user.email, role: user.role, fullName: user.fullName ?? null, createdAt: user.createdAt };
}

export function toAdminUserJson(user: User): z.output<typeof AdminUserJson> {
  return { ...toUserJson(user), active: user.active };
}
