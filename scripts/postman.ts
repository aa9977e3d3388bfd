import fs from 'node:fs';
import path from 'node:path';
import { POSTMAN_COLLECTION_FILE, serializeCollection, toPostmanCollection } from './postman-collection';

/**
 * `npm run postman [URL or file]`: regenerates the committed Postman collection from a running API's
 * /openapi.json (default: the one `npm run dev` serves) or a saved copy of it. The test suite fails while the committed
 * file differs from what the current document gives.
 */
async function main() {
  const source = process.argv[2] ?? 'http://localhost:8000/openapi.json';
  const collection = toPostmanCollection(await readDocument(source));
  const file = path.resolve(__dirname, '..', '..', POSTMAN_COLLECTION_FILE);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, serializeCollection(collection));
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

async function readDocument(source: string) {
  if (!/^https?:/.test(source)) return JSON.parse(fs.readFileSync(source, 'utf8'));
  const res = await fetch(source);
  if (!res.ok)
    throw new Error(`${source} answered ${res.status}; start the API (npm run dev) or pass the URL or file of its /openapi.json`);
  return res.json();
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}
