import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { CompanySchema, type Company } from '../db/entities/company.entity';
import { ConflictError, InvalidInputError, NotFoundError } from '../domain/errors';
import { toDbId } from '../domain/ids';

/** The company a path id names; an unknown or malformed id is a 404. */
export async function findCompany(em: EntityManager, id: string): Promise<Company> {
  const dbId = toDbId(id);
  const company = dbId ? await em.findOne(CompanySchema, { id: dbId }) : null;
  if (!company) throw new NotFoundError('No such company.');
  return company;
}

/** Names by id, in one query, for a page of jobs. */
export async function companyNames(em: EntityManager, ids: number[]): Promise<Map<number, string>> {
  const unique = [...new Set(ids)];
  const rows = unique.length ? await em.find(CompanySchema, { id: { $in: unique } }) : [];
  return new Map(rows.map((c) => [c.id, c.name]));
}

/** Creates a company; a name taken in any letter case is a 409, also when two requests race. */
export async function createCompany(
  em: EntityManager,
  fields: { name: string; website?: string | null },
  createdAt = new Date().toISOString(),
): Promise<Company> {
  // The name column ignores letter case (nocase, citext), so this lookup (and the unique index) ignores letter case.
  if (await em.count(CompanySchema, { name: fields.name })) throw nameTaken();
  const company = em.create(CompanySchema, { name: fields.name, website: fields.website ?? null, createdAt });
  await flushUnique(em);
  return company;
}

/** Flushes a company change; the unique name index turns a race into the same 409. */
export async function flushUnique(em: EntityManager): Promise<void> {
  try {
    await em.flush();
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) throw nameTaken();
    throw err;
  }
}

/**
 * The company a job names: by id (`422` when unknown), or by name, found without regard to case
 * or created. `jobCreatedAt`: a company created here for a new job shares its creation time, which
 * is how the job board tells a company only a draft made from one it should list.
 */
export async function resolveCompany(
  em: EntityManager,
  ref: { companyId?: number; company?: string },
  jobCreatedAt?: string,
): Promise<Company> {
  if (ref.companyId !== undefined) {
    const company = await em.findOne(CompanySchema, { id: ref.companyId });
    if (!company) throw new InvalidInputError('companyId', 'No company has this id.');
    return company;
  }
  const name = ref.company!;
  const existing = await em.findOne(CompanySchema, { name });
  if (existing) return existing;
  try {
    return await createCompany(em, { name }, jobCreatedAt);
  } catch (err) {
    // Another request created it meanwhile: use theirs.
    if (err instanceof ConflictError) {
      em.clear();
      const raced = await em.findOne(CompanySchema, { name });
      if (raced) return raced;
    }
    throw err;
  }
}

function nameTaken() {
  return new ConflictError('company_name_taken', 'A company with this name already exists.');
}
