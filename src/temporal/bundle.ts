import fs from 'node:fs';
import path from 'node:path';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import { TRACING_WORKFLOW_MODULES, tracingBundlePath } from './workflow-tracing';

/**
 * Builds the workflow bundle ahead of time, so a production worker starts without webpack:
 * `node dist/src/temporal/bundle.js var/workflow-bundle.js`, then run workers with
 * WORKFLOW_BUNDLE_PATH pointing at the file. The bundle must be built by the same @temporalio/worker
 * version the workers run. Its tracing twin is written beside it.
 */
export async function buildWorkflowBundle(outFile: string, options: { tracing?: boolean } = {}): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    workflowInterceptorModules: options.tracing ? [...TRACING_WORKFLOW_MODULES] : undefined,
    logger: quietLogger,
  });
  const target = path.resolve(outFile);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, code);
  return target;
}

/** The bundle and its tracing twin (`tracingBundlePath`), which workers use when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
export async function buildWorkflowBundles(outFile: string): Promise<string[]> {
  return [await buildWorkflowBundle(outFile), await buildWorkflowBundle(tracingBundlePath(path.resolve(outFile)), { tracing: true })];
}

// Webpack's progress lines are noise in scripts and tests; warnings and errors still show.
const quietLogger = new DefaultLogger('WARN');

if (require.main === module) {
  const outFile = process.argv[2];
  if (!outFile) {
    console.error('usage: node dist/src/temporal/bundle.js <out-file>');
    process.exit(2);
  }
  buildWorkflowBundles(outFile).then(
    (files) => console.log(`workflow bundles written to ${files.join(', ')}`),
    (err: Error) => {
      console.error(err.stack ?? err.message);
      process.exit(1);
    },
  );
}
