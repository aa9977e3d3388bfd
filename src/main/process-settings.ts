/**
 * How the api, worker and notifier processes are run: the Node flags and environment that
 * `npm run start:*`, the image (Dockerfile, docker-compose*.yml), `npm run dev` and the
 * benchmarks all use. test/unit/process-settings.test.ts keeps the text files in step with this.
 *
 * - `--max-semi-space-size=4`: a small young generation; short-lived request garbage is collected
 *   sooner, for a little more GC work.
 * - No cap on the old generation: the API holds about 60 MB of live objects, and a cap near that
 *   (128 MB was tried) turns a burst of large requests or connections into a crash ("heap out of
 *   memory") instead of a slower answer; test/integration/body-flood.test.ts holds it to that.
 * - `MALLOC_ARENA_MAX=2`: glibc gives every thread that allocates its own malloc arena (Node's
 *   thread pool, V8's platform threads, the Temporal worker's Rust runtime), each keeping its own
 *   free pages; two arenas keep them from piling up.
 *
 * bench/README.md has the figures behind each.
 */
export type ProcessName = 'api' | 'worker' | 'notifier';

export const NODE_FLAGS: Record<ProcessName, readonly string[]> = {
  api: ['--max-semi-space-size=4'],
  worker: ['--max-semi-space-size=4'],
  notifier: ['--max-semi-space-size=4'],
};

export const PROCESS_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
