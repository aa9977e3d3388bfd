import { z } from 'zod';
import { text, lengthBetween, NON_BLANK_PATTERN, TEXT_PATTERN } from '../../src/http/schemas/text.schemas';
import { atMostOneOf, withAliases } from '../../src/http/schemas/request-body.schemas';
import { CreateUserBody, Email, EMAIL_PATTERN } from '../../src/http/schemas/user.schemas';
import { SignupBody } from '../../src/http/schemas/auth.schemas';
import { ApplyBody, StageChangeBody } from '../../src/http/schemas/application.schemas';
import { CreateJobBody, UpdateJobBody } from '../../src/http/schemas/job.schemas';
import { UpdateCompanyBody } from '../../src/http/schemas/company.schemas';
import Ajv2020 from 'ajv/dist/2020';
import { createRegistry, generateDocument } from '../../src/http/openapi';

/** What a field's published schema admits, checked the way a JSON Schema validator would. */
function admits(schema: z.ZodType, value: string): boolean {
  const registry = createRegistry();
  registry.register('Field', schema);
  const published = (generateDocument(registry) as unknown as { components: { schemas: { Field: Record<string, unknown> } } }).components
    .schemas.Field;
  const length = [...value].length;
  if (typeof published.maxLength === 'number' && length > published.maxLength) return false;
  if (typeof published.minLength === 'number' && length < published.minLength) return false;
  return typeof published.pattern !== 'string' || new RegExp(published.pattern, 'u').test(value);
}

const SAMPLES = [
  'plain',
  '  padded  ',
  'tab\there',
  'line\nbreak',
  '',
  '   ',
  '\u00a0',
  '\ufeff',
  '\u0085x',
  'nul\u0000',
  'bell\u0007',
  'cr\r',
  'del\u007f',
  'nel\u0085',
  'c1\u009f',
  '\u00a0nbsp',
  'pair\ud83d\ude00',
  'é',
  '😀'.repeat(5),
  '😀'.repeat(6),
  'x'.repeat(6),
  'ab\u2028',
];

describe('text fields: the published schema and the validator agree', () => {
  test.each([
    ['non-blank, trimmed', text({ max: 5, trim: true })],
    ['blank allowed', text({ max: 5, blank: true })],
    ['password-like lengths', lengthBetween(2, 5)],
  ] as const)('%s', (_label, schema) => {
    for (const value of SAMPLES) {
      expect({ value, accepted: schema.safeParse(value).success }).toEqual({ value, accepted: admits(schema, value) });
    }
  });

  test('control characters other than tab and newline are refused with one clear message', () => {
    for (const value of ['a\u0000b', 'a\u007fb', 'a\u0085b', 'a\u009fb']) {
      const result = text({ max: 50 }).safeParse(value);
      expect(result.error?.issues.map((i) => i.message)).toEqual(['Control characters other than tab and newline are not allowed.']);
    }
    expect(text({ max: 50 }).safeParse('a\u00a0b').success).toBe(true);
  });

  test('the published patterns name no surrogate: validators on Rust regex refuse such a pattern and drop it', () => {
    for (const pattern of [TEXT_PATTERN, NON_BLANK_PATTERN]) {
      expect(pattern).not.toMatch(/\\u[dD][89a-fA-F]/);
      // What they refuse, control characters, they refuse by code point.
      expect(new RegExp(pattern, 'u').test('a\u0085b')).toBe(false);
    }
  });

  test('a lone surrogate is refused (a database would store U+FFFD instead); a pair, one character, is text', () => {
    for (const value of ['a\ud800', '\udfffb']) {
      const result = text({ max: 50 }).safeParse(value);
      expect(result.error?.issues.map((i) => i.message)).toEqual(['Not well-formed Unicode: a lone UTF-16 surrogate.']);
    }
    expect(text({ max: 1 }).safeParse('\ud83d\ude00').success).toBe(true);
  });

  test.each([
    'ada@example.com',
    ' Ada@Example.COM\t',
    '\ufeffada@example.com',
    "o'neil+x@sub.example.org",
    'ada@example',
    'ada@@example.com',
    '.ada@example.com',
    'ada\u0000@example.com',
  ])('e-mail %j: the pattern admits it exactly when sign-up accepts it', (email) => {
    expect(new RegExp(EMAIL_PATTERN, 'u').test(email)).toBe(Email.safeParse(email).success);
  });
});

describe('withAliases', () => {
  const Body = withAliases(z.strictObject({ fullName: z.string().optional(), age: z.number().optional() }), { full_name: 'fullName' });

  test.each([
    [{ full_name: 'Ann' }, { fullName: 'Ann' }],
    [{ fullName: 'Ann' }, { fullName: 'Ann' }],
    [{ age: 3 }, { age: 3 }],
  ])('%j parses to %j', (input, output) => {
    expect(Body.parse(input)).toEqual(output);
  });

  test.each([[{ full_name: 'Ann', fullName: 'Bea' }], [{ full_name: 'Ann', fullName: 'Ann' }], [{ full_name: null, fullName: 'Ann' }]])(
    'both names, whatever the values, are one error naming the field: %j',
    (input) => {
      const Nullable = withAliases(z.strictObject({ fullName: z.string().nullable().optional() }), { full_name: 'fullName' });
      expect(Nullable.safeParse(input).error?.issues.map((i) => i.path)).toEqual([['fullName']]);
    },
  );

  test('the document says both names together are refused', () => {
    expect(atMostOneOf(['fullName', 'full_name'], ['a', 'b', 'c'], ['b', 'a'])).toEqual({
      not: {
        anyOf: [{ required: ['fullName', 'full_name'] }, { required: ['a', 'b'] }, { required: ['a', 'c'] }, { required: ['b', 'c'] }],
      },
    });
    expect(atMostOneOf()).toEqual({});
  });

  test('the alias is refused like the name when invalid, and unknown fields stay unknown', () => {
    expect(
      Body.safeParse({ full_name: 7, nickname: 'x' })
        .error?.issues.map((i) => i.path.join('.'))
        .sort(),
    ).toEqual(['', 'full_name']);
  });
});

describe('every request body takes the original names of its fields', () => {
  test.each([
    [SignupBody, { email: 'a@b.co', password: '12345678', full_name: 'Ann' }, { fullName: 'Ann' }],
    [CreateUserBody, { email: 'a@b.co', password: '12345678', role: 'admin', full_name: 'Ann' }, { fullName: 'Ann' }],
    [
      ApplyBody,
      { resume_url: 'https://x.example/cv.pdf', cover_letter: 'Hi' },
      { resumeUrl: 'https://x.example/cv.pdf', coverLetter: 'Hi' },
    ],
    [StageChangeBody, { stage: 'screening', notes: 'Good', from_stage: 'applied' }, { reason: 'Good', fromStage: 'applied' }],
    [CreateJobBody, { title: 'T', company_id: 1 }, { companyId: 1 }],
    [UpdateJobBody, { company_id: '2' }, { companyId: 2 }],
  ] as const)('%#: %j', (schema, body, expected) => {
    const parsed = (schema as z.ZodType).parse(body) as Record<string, unknown>;
    expect(parsed).toMatchObject(expected);
    for (const key of Object.keys(body)) if (key.includes('_') || key === 'notes') expect(parsed).not.toHaveProperty(key);
  });

  // What the document admits is what the server accepts, so a fuzzer's valid body is never refused.
  test.each([
    ['SignupBody', { email: 'a@b.co', password: '12345678', fullName: 'Ann', full_name: 'Ann' }, SignupBody],
    ['SignupBody', { email: 'a@b.co', password: '12345678', fullName: 'Ann' }, SignupBody],
    ['ApplyBody', { coverLetter: '', cover_letter: null }, ApplyBody],
    ['ApplyBody', { resumeUrl: null, cover_letter: 'Hi' }, ApplyBody],
    ['StageChangeBody', { stage: 'hired', reason: 'Good', notes: null }, StageChangeBody],
    ['StageChangeBody', { stage: 'hired', fromStage: 'offer', from_stage: 'offer' }, StageChangeBody],
    ['CreateJobBody', { title: 'T' }, CreateJobBody],
    ['CreateJobBody', { title: 'T', company: 'TechCorp' }, CreateJobBody],
    ['CreateJobBody', { title: 'T', companyId: '1', company: 'TechCorp' }, CreateJobBody],
    ['CreateJobBody', { title: 'T', companyId: '1', company_id: '1' }, CreateJobBody],
    ['CreateJobBody', { title: 'T', company_id: 1, company: 'TechCorp' }, CreateJobBody],
    ['UpdateJobBody', {}, UpdateJobBody],
    ['UpdateJobBody', { status: 'closed' }, UpdateJobBody],
    ['UpdateJobBody', { company: 'TechCorp', company_id: 2 }, UpdateJobBody],
    ['UpdateCompanyBody', {}, UpdateCompanyBody],
  ] as const)('%s: the document admits %j exactly when the server does', (_name, body, schema) => {
    const registry = createRegistry();
    registry.register('Body', schema as z.ZodType);
    const published = (generateDocument(registry) as unknown as { components: { schemas: { Body: object } } }).components.schemas.Body;
    const accepted = (schema as z.ZodType).safeParse(body).success;
    expect(new Ajv2020({ strict: false, validateFormats: false }).validate(published, body)).toBe(accepted);
  });

  test('a stage change with different notes and reason is refused, naming reason', () => {
    expect(StageChangeBody.safeParse({ stage: 'screening', notes: 'a', reason: 'b' }).error?.issues.map((i) => i.path)).toEqual([
      ['reason'],
    ]);
  });
});
