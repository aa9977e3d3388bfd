import type Router from '@koa/router';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { UserSchema } from '../../db/entities/user.entity';
import { ForbiddenError, UnauthorizedError } from '../../domain/errors';
import { createAccount } from '../../accounts/user-accounts';
import { createLoginBudget } from '../../auth/login-budget';
import { createLoginThrottle } from '../../auth/login-throttle';
import { addressKey } from '../../auth/client-address';
import { createIpRateLimit } from '../../auth/rate-limits';
import type { Services } from '../../services';
import { defineRoute } from '../route';
import { LoginForm, LoginJson, SignupBody, TokenJson, toTokenJson } from '../schemas/auth.schemas';
import { UserEnvelope, toUserJson } from '../schemas/user.schemas';

/** One message for an unknown e-mail, a wrong password and a deactivated account: nothing to enumerate. */
const BAD_CREDENTIALS = 'The e-mail or password is wrong.';

export function authRoutes(router: Router, registry: OpenAPIRegistry, services: Services): void {
  const { config, passwords, tokens } = services;
  const throttle = createLoginThrottle(services.redis, {
    maxFailures: config.auth.loginMaxFailures,
    blockSeconds: config.auth.loginBlockSeconds,
    // The notification queue's name already sets this deployment apart in a shared Redis.
    keyPrefix: `ats:${config.notifier.queueName}:login-failures`,
  });
  // Right passwords count too, before the hash queue: a few valid accounts cannot keep it full.
  const verifications = createLoginBudget(services.redis, {
    perAddress: config.auth.loginMaxPerIp,
    perAccount: config.auth.loginMaxPerAccount,
    windowSeconds: config.auth.loginWindowSeconds,
    keyPrefix: `ats:${config.notifier.queueName}:login-verifications`,
  });
  // Every attempt counts, a taken e-mail's 409 included: probing which e-mails exist costs time.
  const signups = createIpRateLimit(services.redis, {
    keyPrefix: `ats:${config.notifier.queueName}:signups`,
    points: config.auth.signupMaxPerIp,
    windowSeconds: config.auth.signupWindowSeconds,
    what: 'sign-ups',
  });

  /** The active account these credentials open, or null. */
  const signInAs = async (email: string, password: string, client: string) => {
    const user = await services.orm.em.findOne(UserSchema, { email }, { populate: ['passwordHash'] });
    // An unknown e-mail costs a hash verification too, so timing does not tell whether it exists.
    const valid = user ? await passwords.verify(user.passwordHash, password, client) : await passwords.verifyDummy(password, client);
    return user && valid && user.active ? user : null;
  };

  defineRoute(router, registry, services, {
    method: 'post',
    path: '/api/auth/signup',
    summary: 'Create a candidate account',
    tags: ['Auth'],
    auth: 'public',
    body: SignupBody,
    responses: {
      201: { description: 'The new candidate', schema: UserEnvelope },
      403: { description: 'A role other than candidate was asked for' },
      409: { description: 'The e-mail is taken (case-insensitive)' },
      429: { description: 'Too many sign-ups from this address; see `Retry-After`' },
      503: { description: '`try_again`: too many passwords waiting to be hashed; see `Retry-After`' },
    },
    async handler(ctx, { body }) {
      await signups.take(ctx.ip);
      if (body.role !== undefined && body.role !== 'candidate') {
        throw new ForbiddenError(
          'Sign-up creates candidate accounts; an admin creates recruiters, hiring managers and admins.',
          'role_not_allowed',
        );
      }
      const user = await createAccount(services.orm.em, passwords, {
        email: body.email,
        password: body.password,
        role: 'candidate',
        fullName: body.fullName,
      });
      services.logger.info({ userId: user.id }, 'candidate signed up');
      ctx.status = 201;
      ctx.body = { user: toUserJson(user) };
    },
  });

  defineRoute(router, registry, services, {
    method: 'post',
    path: '/api/auth/login',
    summary: 'Log in for an access token',
    description:
      "JSON `{ email, password }`. The OAuth2 password form that Swagger UI's Authorize dialog sends is taken too: `application/x-www-form-urlencoded` with `username` (the e-mail) and `password`, and optionally `grant_type` and `scope`, which are ignored.",
    tags: ['Auth'],
    auth: 'public',
    body: LoginJson,
    formBody: LoginForm,
    bodyTypes: ['json', 'form'],
    responses: {
      200: { description: 'A bearer token', schema: TokenJson },
      401: { description: 'Wrong e-mail or password (the same answer for both)' },
      429: {
        description:
          'Too many failed log-ins for this e-mail from this address, or from this address in all; or too many log-ins (right or wrong) from this address, or successful ones to this account; see `Retry-After`',
      },
      503: { description: '`try_again`: too many passwords waiting to be checked; see `Retry-After`' },
    },
    async handler(ctx, { body }) {
      // The failure is counted before the password is checked, so parallel guesses cannot overtake it.
      const attempt = await throttle.reserve(body.email, ctx.ip);
      const budgeted = await verifications.take(body.email, ctx.ip).catch(async (err: unknown) => {
        await attempt.abandoned();
        throw err;
      });
      const user = await signInAs(body.email, body.password, addressKey(ctx.ip)).catch(async (err: unknown) => {
        await Promise.all([attempt.abandoned(), budgeted.abandoned()]);
        throw err;
      });
      if (!user) throw new UnauthorizedError(BAD_CREDENTIALS);
      await Promise.all([attempt.succeeded(), budgeted.succeeded()]);
      ctx.body = toTokenJson(tokens.issue(user));
    },
  });

  defineRoute(router, registry, services, {
    method: 'get',
    path: '/api/auth/me',
    summary: 'The signed-in user',
    tags: ['Auth'],
    auth: 'any',
    responses: { 200: { description: 'The user the token belongs to', schema: UserEnvelope } },
    handler(ctx, { user }) {
      ctx.body = { user: toUserJson(user) };
    },
  });
}
