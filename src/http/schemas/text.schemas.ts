import { z } from '../openapi';

/**
 * Every free-text field of every body and query goes through `text()`: the same rules validate the
 * request and are published in /openapi.json, so what the document admits the server accepts.
 * Tab and newline are text; every other control character (C0, DEL and C1, U+0080–U+009F) is refused
 * (a NUL would also cut the value short in SQLite). So is a lone UTF-16 surrogate, which no database
 * stores: it would come back as U+FFFD, another text than the one accepted.
 */
const CONTROL = '\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F';
const CONTROL_CHARACTER = new RegExp(`[${CONTROL}]`);
/** A high surrogate not followed by a low one, or a low one not after a high one (UTF-16 code units). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/**
 * The characters String.prototype.trim() removes, spelled out: `\\s` differs between regex engines
 * (Python's, which fuzzers use, has U+0085 and lacks U+FEFF), so published patterns avoid it.
 */
export const WHITESPACE = '\\t\\n\\v\\f\\r \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF';
/**
 * The published patterns leave lone surrogates to the validator: a surrogate range is no regular
 * expression to validators built on Rust's regex (schemathesis' among them), which then drop the
 * whole pattern, and a JSON text carries a lone surrogate only as a `\\u` escape.
 */
export const TEXT_PATTERN = `^[^${CONTROL}]*$`;
/** Text with at least one character that is neither whitespace nor a control character. */
export const NON_BLANK_PATTERN = `^[^${CONTROL}]*[^${WHITESPACE}${CONTROL}][^${CONTROL}]*$`;
export const CONTROL_MESSAGE = 'Control characters other than tab and newline are not allowed.';
export const SURROGATE_MESSAGE = 'Not well-formed Unicode: a lone UTF-16 surrogate.';

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
  return z
    .string()
    .refine((s) => codePoints(s) >= min, `Use at least ${min} characters.`)
    .refine((s) => codePoints(s) <= max, `Use at most ${max} characters.`)
    .openapi({ minLength: min, maxLength: max });
}

export function text({ max, blank = false, trim = false }: TextOptions) {
  let schema = z
    .string()
    .refine((s) => !CONTROL_CHARACTER.test(s), { message: CONTROL_MESSAGE, abort: true })
    .refine((s) => !LONE_SURROGATE.test(s), { message: SURROGATE_MESSAGE, abort: true })
    .refine((s) => codePoints(s) <= max, `Use at most ${max} characters.`);
  if (!blank) schema = schema.refine((s) => s.trim().length > 0, 'Must not be blank.');
  if (trim) schema = schema.trim();
  return schema.openapi({ maxLength: max, ...(blank ? {} : { minLength: 1 }), pattern: blank ? TEXT_PATTERN : NON_BLANK_PATTERN });
}

/** Refuses control characters in a string schema that has its own format rules (e-mail, URL). */
export function noControlCharacters(s: string): boolean {
  return !CONTROL_CHARACTER.test(s);
}
