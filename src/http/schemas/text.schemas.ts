import type { ZodObject, ZodRawShape, ZodType, z as zod } from 'zod';
import { z } from '../openapi';

/**
 * Every free-text field of every body and query goes through `text()`: the same rules validate the
 * request and are published in /openapi.json, so what the document admits the server accepts.
 * Tab and newline are text; every other C0 control character and DEL is refused (a NUL would also
 * cut the value short in SQLite).
 */
const CONTROL = '\\x00-\\x08\\x0B-\\x1F\\x7F';
const CONTROL_CHARACTER = new RegExp(`[${CONTROL}]`);
/**
 * The characters String.prototype.trim() removes, spelled out: `\\s` differs between regex engines
 * (Python's, which fuzzers use, has U+0085 and lacks U+FEFF), so published patterns avoid it.
 */
export const WHITESPACE = '\\t\\n\\v\\f\\r \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF';
export const TEXT_PATTERN = `^[^${CONTROL}]*$`;
/** Text with at least one character that is neither whitespace nor a control character. */
export const NON_BLANK_PATTERN = `^[^${CONTROL}]*[^${WHITESPACE}${CONTROL}][^${CONTROL}]*$`;
export const CONTROL_MESSAGE = 'Control characters other than tab and newline are not allowed.';

export interface TextOptions {
  /** Longest value, in Unicode code points as JSON Schema's maxLength counts them. */
  max: number;
  /** Whether a value of only whitespace (or nothing) is allowed. */
  blank?: boolean;
  /** Trim surrounding whitespace after checking. */
  trim?: boolean;
}

const codePoints = (s: string) => [...s].length;

/** A length check counted in code points, as JSON Schema's minLength and maxLength count. */
export function lengthBetween(min: number, max: number) {
  return z.string()
    .refine((s) => codePoints(s) >= min, `Use at least ${min} characters.`)
    .refine((s) => codePoints(s) <= max, `Use at most ${max} characters.`)
    .openapi({ minLength: min, maxLength: max });
}

export function text({ max, blank = false, trim = false }: TextOptions) {
  let schema = z.string()
    .refine((s) => !CONTROL_CHARACTER.test(s), { message: CONTROL_MESSAGE, abort: true })
    .refine((s) => codePoints(s) <= max, `Use at most ${max} characters.`);
  if (!blank) schema = schema.refine((s) => s.trim().length > 0, 'Must not be blank.');
  if (trim) schema = schema.trim();
  return schema.openapi({ maxLength: max, ...(blank ? {} : { minLength: 1 }), pattern: blank ? TEXT_PATTERN : NON_BLANK_PATTERN });
}

/** Refuses control characters in a string schema that has its own format rules (e-mail, URL). */
export function noControlCharacters(s: string): boolean {
  return !CONTROL_CHARACTER.test(s);
}

const isRecord = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * A request body that also takes the original design's snake_case names (`full_name` for
 * `fullName`, …). Both spellings with different values are a 422 naming the field; the parsed body
 * has the camelCase names only. The aliases are documented as properties of their own, so generated
 * clients and fuzzers know them. Pass an unregistered object and register the result.
 */
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
  const aliases = Object.fromEntries(Object.entries(ORIGINAL_NAMES).filter(([, name]) => name in schema.shape)) as Record<string, keyof T & string>;
  return withAliases(schema, aliases, rules);
}

export interface BodyRule { holds: (body: Record<string, unknown>) => boolean; path: string; message: string }

export function withAliases<T extends ZodRawShape>(schema: ZodObject<T>, aliases: Record<string, keyof T & string>, rules: BodyRule[] = []) {
  const shape = schema.shape as unknown as Record<string, ZodType>;
  const extra = Object.fromEntries(Object.entries(aliases).map(([alias, name]) => [
    alias,
    (shape[name].optional() as ZodType).openapi({ description: `The original design's name for \`${name}\`.` }),
  ]));
  let extended = schema.extend(extra);
  // Rules about which fields are present run even when a field is invalid, so one 422 lists every problem.
  for (const rule of rules) {
    extended = extended.refine((body) => rule.holds(body as Record<string, unknown>), { path: [rule.path], message: rule.message, when: (payload) => isRecord(payload.value) });
  }
  return extended
    .superRefine((body: Record<string, unknown>, ctx) => {
      for (const [alias, name] of Object.entries(aliases)) {
        if (body[alias] !== undefined && body[name] !== undefined && !sameValue(body[alias], body[name])) {
          ctx.addIssue({ code: 'custom', path: [name], message: `\`${name}\` and \`${alias}\` name the same field: send one, or both with the same value.` });
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
    });
}
