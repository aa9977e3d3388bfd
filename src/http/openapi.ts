import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { z };

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().openapi({ example: 'validation_failed' }),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    // Extension members some problems carry: every one the server sends is declared, so typed
    // clients can read them.
    allowed: z.array(z.string()).optional().openapi({ description: '`invalid_transition`: the stages the application may move to.' }),
    allowedBack: z
      .array(z.string())
      .optional()
      .openapi({ description: '`invalid_transition`: the earlier stages the application may move back to, with a reason.' }),
    from: z.string().optional().openapi({ description: '`invalid_transition`, `reason_required`: the stage the application is in.' }),
    to: z.string().optional().openapi({ description: '`invalid_transition`, `reason_required`: the stage asked for.' }),
    current: z.string().optional().openapi({ description: '`stage_changed`: the stage the application is in now.' }),
    applicationId: z
      .string()
      .optional()
      .openapi({ description: '`try_again` after an apply or a change that was accepted: the application to read again.' }),
  })
  .openapi('Problem');

export function createRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'oauth2',
    description: 'Log in with e-mail (as username) and password; Swagger UI then sends the bearer token.',
    flows: { password: { tokenUrl: '/api/auth/login', scopes: {} } },
    // The login answers OAuth2's `access_token` (beside the camelCase `accessToken`); Swagger UI reads this one.
    'x-tokenName': 'access_token',
  } as never);
  return registry;
}

export function generateDocument(registry: OpenAPIRegistry) {
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'ATS API',
      version: '1.0.0',
      description: 'Applicant tracking: accounts and roles, jobs, and applications whose stages are Temporal workflows.',
    },
    servers: [{ url: '/' }],
  });
}
