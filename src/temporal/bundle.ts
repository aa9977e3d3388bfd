import fs from 'node:fs';
import path from 'node:path';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';

/**
 * Builds the workflow bundle ahead of time, so a production worker starts without webpack:
 * `node dist/src/temporal/bundle.js var/workflow-bundle.js`, then run workers with
 * WORKFLOW_BUNDLE_PATH pointing at the file. The bundle must be built by the same @temporalio/worker
 * version the workers run.
 */
export async function buildWorkflowBundle(outFile: string): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
  const target = path.resolve(outFile);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, code);
  return target;
}

// Webpack's progress lines are noise in scripts and tests; warnings and errors still show.
const quietLogger = new DefaultLogger('WARN');

if (require.main === module) {
  const outFile = process.argv[2];
  if (!outFile) {
    console.error('usage: node dist/src/temporal/bundle.js <out-file>');
    process.exit(2);
  }
  buildWorkflowBundle(outFile).then(
    (file) => console.log(`workflow bundle written to ${file}`),
    (err: Error) => {
      console.error(err.stack ?? err.message);
      process.exit(1);
    },
  );
}
