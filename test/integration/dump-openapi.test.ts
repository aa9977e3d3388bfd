import fs from 'node:fs';
import { createRegistry, generateDocument } from '../../src/http/openapi';
import { startStack } from '../support/stack';
test('dump', async () => {
  const stack = await startStack();
  const res = await stack.http('GET', '/openapi.json');
  fs.writeFileSync('/tmp/contract-scratch/openapi.json', JSON.stringify(res.body, null, 2));
  await stack.close();
  void createRegistry; void generateDocument;
});
