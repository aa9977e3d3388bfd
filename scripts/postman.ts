import fs from 'node:fs';
import path from 'node:path';
import { POSTMAN_COLLECTION_FILE, serializeCollection, toPostmanCollection } from './postman-collection';

/**
 * `npm run postman [URL]`: regenerates the committed Postman collection from a running API's
 * /openapi.json (default: the one `npm run dev` serves). The test suite fails while the committed
 * file differs from what the current document gives.
 */
async function main() {
  const url = process.argv[2] ?? 'http://localhost:8000/openapi.json';
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url} answered ${res.status}; start the API (npm run dev) or pass the URL of its /openapi.json`);
  const collection = toPostmanCollection(await res.json() as never);
  const file = path.resolve(__dirname, '..', '..', POSTMAN_COLLECTION_FILE);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, serializeCollection(collection));
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}
