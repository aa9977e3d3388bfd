/**
 * The workflow side of tracing: interceptors (workflows/tracing.interceptors.ts) that open a span per
 * run, update, signal and query and hand them to the worker through a sink; no commands, and not a
 * microtask more, so histories replay the same with or without them. A prebuilt bundle fixes its
 * interceptors, so `cli bundle-workflows` writes a second bundle with them for workers that trace.
 */
export const TRACING_WORKFLOW_MODULES: readonly string[] = [require.resolve('../../workflows/tracing.interceptors')];

/** Where the tracing twin of a prebuilt bundle lives: `workflow-bundle.js` → `workflow-bundle.tracing.js`. */
export function tracingBundlePath(bundlePath: string): string {
  return bundlePath.endsWith('.js') ? `${bundlePath.slice(0, -3)}.tracing.js` : `${bundlePath}.tracing.js`;
}
