import { z } from '../openapi';
import { CONTROL_MESSAGE, noControlCharacters } from './text.schemas';

/** Web URLs only: a link a recruiter opens must never run or read something in their browser (`javascript:`, `data:`, `file:`). */
const WEB_URL = /^https?:\/\/[^/?#\s]+/;

/** A link to a web page; one pattern serves the validator and the OpenAPI document. */
export const WebUrl = z
  .string()
  .max(2_000)
  .refine(noControlCharacters, CONTROL_MESSAGE)
  .regex(WEB_URL, 'An http: or https: URL')
  .pipe(z.url())
  .openapi({
    format: 'uri',
    maxLength: 2_000,
    pattern: WEB_URL.source,
    example: 'https://example.com/cv.pdf',
    description: 'An `https:` or `http:` URL; other schemes (`javascript:`, `data:`, `file:`, …) are refused.',
  });
