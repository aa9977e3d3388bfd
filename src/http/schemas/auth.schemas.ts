import { z } from '../openapi';
import { Email, FullName, Password } from './user.schemas';

export const SignupBody = z.strictObject({
  email: Email,
  password: Password,
  fullName: FullName.optional(),
  role: z.string().optional().openapi({ description: 'Only `candidate` is accepted; recruiters and admins are created by an admin (403).' }),
}).openapi('Signup');

const LoginEmail = z.string().trim().toLowerCase().min(1).max(320);
const LoginPassword = z.string().min(1).max(1024);

export const LoginJson = z.object({ email: LoginEmail, password: LoginPassword }).openapi('Login');

/**
 * The OAuth2 password grant that Swagger UI's Authorize dialog sends; `username` is the e-mail.
 * Extra grant fields (`grant_type`, `scope`, `client_id`) are accepted and ignored.
 */
export const LoginForm = z.object({
  username: LoginEmail,
  password: LoginPassword,
  grant_type: z.string().optional(),
  scope: z.string().optional(),
}).transform((form) => ({ email: form.username, password: form.password })).openapi('LoginForm');

export const TokenJson = z.object({
  accessToken: z.string(),
  tokenType: z.literal('bearer'),
  expiresIn: z.number().int().openapi({ description: 'Seconds until the token expires.' }),
}).openapi('Token');
