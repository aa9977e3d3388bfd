import type Router from '@koa/router';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Services } from '../../services';
import { createCompany, findCompany, flushUnique } from '../../companies/companies';
import { isPublicCompany, listCompanies } from '../../companies/company-queries';
import { seesEveryJob } from '../../jobs/job-lookup';
import { CompanySchema } from '../../db/entities/company.entity';
import { ConflictError, NotFoundError } from '../../domain/errors';
import { defineRoute } from '../route';
import { IdParams } from '../schemas/id.schemas';
import { decodeCursor, toPage } from '../schemas/pagination.schemas';
import {
  CompanyJson,
  CompanyListQuery,
  CompanyPage,
  CreateCompanyBody,
  UpdateCompanyBody,
  toCompanyJson,
} from '../schemas/company.schemas';

const managers = ['recruiter', 'admin'] as const;
const TAGS = ['Companies'];

/** Companies: everyone may browse them; recruiters and admins add and rename them. */
export function companyRoutes(router: Router, registry: OpenAPIRegistry, services: Services): void {
  const em = () => services.orm.em;

  defineRoute(router, registry, services, {
    method: 'get',
    path: '/api/companies',
    summary: 'List companies by name',
    description:
      'Anonymous callers and candidates do not see a company that a draft job created by naming it, while its jobs are all drafts.',
    tags: TAGS,
    auth: 'optional',
    query: CompanyListQuery,
    responses: { 200: { description: 'A page of companies', schema: CompanyPage } },
    async handler(ctx, { query, user }) {
      const rows = await listCompanies(em(), {
        q: query.q || undefined,
        after: query.cursor ? decodeCursor(query.cursor) : undefined,
        limit: query.limit + 1,
        publicOnly: !seesEveryJob(user),
      });
      ctx.body = toPage(rows, query.limit, toCompanyJson);
    },
  });

  defineRoute(router, registry, services, {
    method: 'get',
    path: '/api/companies/{id}',
    summary: 'One company',
    tags: TAGS,
    auth: 'optional',
    params: IdParams,
    responses: {
      200: { description: 'The company', schema: CompanyJson },
      404: { description: 'No such company, or (for anonymous callers and candidates) one only draft jobs name' },
    },
    async handler(ctx, { params, user }) {
      const company = await findCompany(em(), params.id);
      // A draft was never published: the company it made up is no more public than the draft.
      if (!seesEveryJob(user) && !(await isPublicCompany(em(), company.id))) throw new NotFoundError('No such company.');
      ctx.body = toCompanyJson(company);
    },
  });

  defineRoute(router, registry, services, {
    method: 'post',
    path: '/api/companies',
    summary: 'Add a company',
    tags: TAGS,
    auth: managers,
    body: CreateCompanyBody,
    responses: {
      201: { description: 'The new company', schema: CompanyJson },
      409: { description: 'The name is taken, in any letter case (`company_name_taken`)' },
    },
    async handler(ctx, { body }) {
      const company = await createCompany(em(), body);
      ctx.status = 201;
      ctx.set('Location', `/api/companies/${company.id}`);
      ctx.body = toCompanyJson(company);
    },
  });

  defineRoute(router, registry, services, {
    method: 'patch',
    path: '/api/companies/{id}',
    summary: 'Rename a company or change its website',
    tags: TAGS,
    auth: managers,
    params: IdParams,
    body: UpdateCompanyBody,
    responses: {
      200: { description: 'The updated company', schema: CompanyJson },
      404: { description: 'No such company' },
      409: { description: "The new name is another company's, in any letter case (`company_name_taken`)" },
    },
    async handler(ctx, { params, body }) {
      const company = await findCompany(em(), params.id);
      if (body.name !== undefined && (await em().count(CompanySchema, { name: body.name, id: { $ne: company.id } }))) {
        throw new ConflictError('company_name_taken', 'A company with this name already exists.');
      }
      if (body.name !== undefined) company.name = body.name;
      if (body.website !== undefined) company.website = body.website;
      await flushUnique(em());
      ctx.body = toCompanyJson(company);
    },
  });
}
