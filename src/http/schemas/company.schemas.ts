import { z } from '../openapi';
import type { Company } from '../../db/entities/company.entity';
import { PageQuery, pageSchema } from './pagination.schemas';
import { text } from './text.schemas';
import { WebUrl } from './url.schemas';
import { requestBody } from './request-body.schemas';

/** Database ids as clients see them: decimal, no leading zero, within the safe-integer range. */
export const ID_PATTERN = /^[1-9][0-9]{0,14}$/;

export const CompanyName = text({ max: 200, trim: true }).openapi({ example: 'TechCorp' });

/** An id as a string (as answers give it) or a number (as the original design sends it). */
export const CompanyIdInput = z
  .union([z.string().regex(ID_PATTERN, 'A company id'), z.number().int().min(1).max(Number.MAX_SAFE_INTEGER)])
  .transform((v) => Number(v))
  .openapi({ description: 'A company id (`422` if no company has it).', example: '1' });

const Website = WebUrl.openapi({ example: 'https://techcorp.example' });

export const CompanyJson = z
  .object({
    id: z.string(),
    name: z.string(),
    website: z.string().nullable(),
    createdAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Company');

export const CompanyPage = pageSchema(CompanyJson, 'CompanyPage');

export const CreateCompanyBody = requestBody(
  z.strictObject({
    name: CompanyName,
    website: Website.nullable().optional(),
  }),
).openapi('CreateCompany');

export const UpdateCompanyBody = requestBody(
  z.strictObject({
    name: CompanyName.optional(),
    website: Website.nullable().optional(),
  }),
)
  .refine((body) => Object.values(body).some((v) => v !== undefined), 'Change at least one field.')
  .openapi('UpdateCompany', { minProperties: 1 });

export const CompanyListQuery = PageQuery.extend({
  q: text({ max: 200, blank: true, trim: true })
    .optional()
    .openapi({ description: 'Case-insensitive substring of the name, taken literally.' }),
});

export function toCompanyJson(company: Company): z.output<typeof CompanyJson> {
  return { id: String(company.id), name: company.name, website: company.website ?? null, createdAt: company.createdAt };
}
