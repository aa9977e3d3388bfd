import { z } from '../openapi';
import { ROLES, type User } from '../../db/entities/user.entity';
import { pageSchema } from './pagination.schemas';
import { WHITESPACE, lengthBetween, text } from './text.schemas';
import { requestBody } from './request-body.schemas';

const EMAIL_CORE = z.regexes.email.source.replace(/^\^|\$$/g, '');
/** What `Email` accepts, published as its pattern: surrounding whitespace is trimmed before the check. */
export const EMAIL_PATTERN = `^[${WHITESPACE}]*${EMAIL_CORE}[${WHITESPACE}]*$`;

/** Trimmed and lower-cased before the format check, so `Ada@Example.COM ` and `ada@example.com` are one account. */
export const Email = z
  .string()
  .max(254)
  .trim()
  .toLowerCase()
  .pipe(z.email('Enter a valid e-mail address.'))
  .openapi({ maxLength: 254, pattern: EMAIL_PATTERN, description: 'An e-mail address.', example: 'ada@example.com' });

/** The upper bound only keeps a hash from being asked to chew on megabytes. */
export const Password = lengthBetween(8, 1024).openapi({ format: 'password', example: 'correct-horse-battery' });

export const FullName = text({ max: 200, trim: true }).openapi({ example: 'Ada Lovelace' });
export const RoleEnum = z.enum(ROLES);

const userFields = {
  id: z.string(),
  email: z.string(),
  role: RoleEnum,
  fullName: z.string().nullable(),
  createdAt: z.string().openapi({ format: 'date-time' }),
};

export const UserJson = z.object(userFields).openapi('User');

/** Admins also see whether the account may sign in. Built from the fields, not by extending `User`, which would document an `allOf`. */
export const AdminUserJson = z.object({ ...userFields, active: z.boolean() }).openapi('AdminUser');

export const UserEnvelope = z.object({ user: UserJson }).openapi('UserEnvelope');
export const AdminUserEnvelope = z.object({ user: AdminUserJson }).openapi('AdminUserEnvelope');
export const AdminUserPage = pageSchema(AdminUserJson, 'AdminUserPage');

export const CreateUserBody = requestBody(
  z.strictObject({
    email: Email,
    password: Password,
    role: RoleEnum,
    fullName: FullName.optional(),
  }),
).openapi('CreateUser');

/** Strict: anything beyond role and active (`email`, `passwordHash`, `id`, …) is a 422, never silently written. */
export const UpdateUserBody = requestBody(
  z.strictObject({
    role: RoleEnum.optional(),
    active: z.boolean().optional(),
  }),
)
  .refine((body) => body.role !== undefined || body.active !== undefined, 'Change at least one field: `role` or `active`.')
  .openapi('UpdateUser', { minProperties: 1 });

export function toUserJson(user: User): z.output<typeof UserJson> {
  return { id: String(user.id), email: user.email, role: user.role, fullName: user.fullName ?? null, createdAt: user.createdAt };
}

export function toAdminUserJson(user: User): z.output<typeof AdminUserJson> {
  return { ...toUserJson(user), active: user.active };
}
