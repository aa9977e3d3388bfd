import { z } from '../openapi';
import { Email, FullName, Password } from './user.schemas';
import { lengthBetween, text } from './text.schemas';
import { requestBody } from './request-body.schemas';

export const SignupBody = requestBody(
  z.strictObject({
    email: Email,
    password: Password,
    fullName: FullName.optional(),
    role: text({ max: 50 }).optional().openapi({
      description: 'Only `candidate` is accepted; recruiters, hiring managers and admins are created by an admin (403).',
      example: 'candidate',
    }),
  }),
).openapi('Signup');

/** Any text: an address that is not a valid e-mail simply matches no account (401). */
const LoginEmail = text({ max: 320, trim: true }).toLowerCase();
const LoginPassword = lengthBetween(1, 1024);

export const LoginJson = requestBody(z.object({ email: LoginEmail, password: LoginPassword })).openapi('Login');

/**
 * The OAuth2 password grant that Swagger UI's Authorize dialog sends; `username` is the e-mail.
 * Extra grant fields (`grant_type`, `scope`, `client_id`) are accepted and ignored.
 */
export const LoginForm = z
  .object({
    username: LoginEmail,
    password: LoginPassword,
    grant_type: z.string().optional(),
    scope: z.string().optional(),
  })
  .transform((form) => ({ email: form.username, password: form.password }))
  .openapi('LoginForm');

/** RFC 6749's names first, for OAuth2 clients; the camelCase ones stay for existing clients. */
export const TokenJson = z
  .object({
    access_token: z.string(),
    token_type: z.literal('bearer'),
    expires_in: z.number().int().openapi({ description: 'Seconds until the token expires.' }),
    accessToken: z.string(),
    tokenType: z.literal('bearer'),
    expiresIn: z.number().int().openapi({ description: 'Seconds until the token expires.' }),
  })
  .openapi('Token');

export function toTokenJson(token: { accessToken: string; tokenType: 'bearer'; expiresIn: number }): z.output<typeof TokenJson> {
  return { access_token: token.accessToken, token_type: token.tokenType, expires_in: token.expiresIn, ...token };
}
