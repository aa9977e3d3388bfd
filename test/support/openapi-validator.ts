import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { TestStack, HttpResult } from './stack';

const DOC_ID = 'https://ats.test/openapi.json';
const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/**
 * Checks real answers against the response schemas of the server's own /openapi.json (JSON Schema
 * 2020-12, as OpenAPI 3.1 uses it): the status must be documented for the operation, its required
 * headers present, and the body must match the schema of its content type.
 */
export async function responseValidator(stack: TestStack) {
  const doc = (await stack.http('GET', '/openapi.json')).body;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('password', true);
  ajv.addSchema({ ...doc, $id: DOC_ID });

  return function expectDocumented(method: string, pathTemplate: string, res: HttpResult): void {
    const operation = doc.paths[pathTemplate]?.[method.toLowerCase()];
    expect({ method, pathTemplate, documented: Boolean(operation) }).toEqual({ method, pathTemplate, documented: true });
    const response = operation.responses[String(res.status)];
    expect({ method, pathTemplate, status: res.status, documented: Boolean(response) }).toEqual({
      method,
      pathTemplate,
      status: res.status,
      documented: true,
    });
    for (const [name, spec] of Object.entries((response.headers ?? {}) as Record<string, { required?: boolean }>)) {
      if (spec.required)
        expect({ status: res.status, header: name, present: res.headers.has(name) }).toEqual({
          status: res.status,
          header: name,
          present: true,
        });
    }
    if (!response.content) {
      expect(res.text).toBe('');
      return;
    }
    const type = (res.headers.get('content-type') ?? '').split(';')[0];
    expect(Object.keys(response.content)).toContain(type);
    const validate = ajv.getSchema(
      `${DOC_ID}#/${pointer('paths', pathTemplate, method.toLowerCase(), 'responses', String(res.status), 'content', type, 'schema')}`,
    )!;
    const valid = validate(res.body);
    expect({ method, pathTemplate, status: res.status, errors: valid ? null : validate.errors }).toEqual({
      method,
      pathTemplate,
      status: res.status,
      errors: null,
    });
  };
}
