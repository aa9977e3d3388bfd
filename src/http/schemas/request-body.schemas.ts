import type { ZodObject, ZodRawShape, ZodType, z as zod } from 'zod';
import { z } from '../openapi';

const isRecord = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The body of a write that takes no fields (optional there): strict, so `role`, `stage` or any other
 * member is a 422 and never reaches the write.
 */
export const NoFields = z.strictObject({}).openapi('NoFields', { description: 'No fields; the body may be left out.' });

/** The original design's names of request fields, each with the name this API gives it. */
export const ORIGINAL_NAMES: Readonly<Record<string, string>> = {
  full_name: 'fullName',
  resume_url: 'resumeUrl',
  cover_letter: 'coverLetter',
  company_id: 'companyId',
  from_stage: 'fromStage',
  notes: 'reason',
};

/**
 * Every JSON request body is declared through this: it takes the original names of the fields it
 * has (see `withAliases`), and `rules` about which fields are present.
 */
export function requestBody<T extends ZodRawShape>(schema: ZodObject<T>, rules: BodyRule[] = []) {
  const aliases = Object.fromEntries(Object.entries(ORIGINAL_NAMES).filter(([, name]) => name in schema.shape)) as Record<
    string,
    keyof T & string
  >;
  return withAliases(schema, aliases, rules);
}

/**
 * A rule about which fields are present. `atMostOne` is the same rule as field sets for the
 * document (at most one member of each set present), when the rule is that, so fuzzers and clients
 * see it too.
 */
export interface BodyRule {
  holds: (body: Record<string, unknown>) => boolean;
  path: string;
  message: string;
  atMostOne?: string[];
}

/**
 * Field sets of which a body may hold at most one member each, as JSON Schema says it:
 * `not: { anyOf: [{ required: [a, b] }, …] }`. Fuzzers honour it; client generators ignore `not`
 * without a warning.
 */
export function atMostOneOf(...sets: string[][]): { not?: { anyOf: { required: string[] }[] } } {
  const pairs = new Map<string, string[]>();
  for (const set of sets)
    set.forEach((a, i) =>
      set.slice(i + 1).forEach((b) => {
        const key = [a, b].sort().join();
        if (!pairs.has(key)) pairs.set(key, [a, b]);
      }),
    );
  return pairs.size === 0 ? {} : { not: { anyOf: [...pairs.values()].map((required) => ({ required })) } };
}

/**
 * A request body that also takes the original design's snake_case names (`full_name` for
 * `fullName`, …). Sending both spellings of one field is a 422 naming the field, whatever the
 * values, and the document says so (`atMostOneOf`), so every body it admits is accepted. The parsed
 * body has the camelCase names only. The aliases are documented as properties of their own, so
 * generated clients and fuzzers know them. Pass an unregistered object and register the result.
 */
export function withAliases<T extends ZodRawShape>(
  schema: ZodObject<T>,
  aliases: Record<string, keyof T & string>,
  rules: BodyRule[] = [],
) {
  const shape = schema.shape as unknown as Record<string, ZodType>;
  const extra = Object.fromEntries(
    Object.entries(aliases).map(([alias, name]) => [
      alias,
      (shape[name].optional() as ZodType).openapi({ description: `The original design's name for \`${name}\`.` }),
    ]),
  );
  let extended = schema.extend(extra);
  // Rules about which fields are present run even when a field is invalid, so one 422 lists every problem.
  for (const rule of rules) {
    extended = extended.refine((body) => rule.holds(body as Record<string, unknown>), {
      path: [rule.path],
      message: rule.message,
      when: (payload) => isRecord(payload.value),
    });
  }
  const exclusive = [...Object.entries(aliases), ...rules.flatMap((rule) => (rule.atMostOne ? [rule.atMostOne] : []))];
  return extended
    .superRefine((body: Record<string, unknown>, ctx) => {
      for (const [alias, name] of Object.entries(aliases)) {
        if (body[alias] !== undefined && body[name] !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `\`${name}\` and \`${alias}\` name the same field: send only one of them.`,
          });
        }
      }
    })
    .transform((body: Record<string, unknown>) => {
      const out = { ...body };
      for (const [alias, name] of Object.entries(aliases)) {
        if (out[name] === undefined && out[alias] !== undefined) out[name] = out[alias];
        delete out[alias];
      }
      return out as zod.output<ZodObject<T>>;
    })
    .openapi(atMostOneOf(...exclusive));
}
