/**
 * How the api, worker and notifier processes are run: the Node flags and environment that
 * `npm run start:*`, the image (scripts/Dockerfile, docker-compose*.yml), `npm run dev` and the
 * benchmarks all use. test/unit/process-settings.test.ts keeps the text files in step with this.
 *
 * - `--max-semi-space-size=4`: a small young generation; short-lived request garbage is collected
 *   sooner, for a little more GC work.
 * - `--max-old-space-size=128` (API): the API holds about 60 MB of live objects (mostly loaded code);
 *   without a cap V8 lets garbage grow the heap to 130 MB and more under load before collecting it.
 * - `MALLOC_ARENA_MAX=2`: glibc gives every thread that allocates its own malloc arena (Node's
 *   thread pool, V8's platform threads, the Temporal worker's Rust runtime), each keeping its own
 *   free pages; two arenas keep them from piling up.
 *
 * bench/README.md has the figures behind each.
 */
export type ProcessName = 'api' | 'worker' | 'notifier';

export const NODE_FLAGS: Record<ProcessName, readonly string[]> = {
  api: ['--max-semi-space-size=4', '--max-old-space-size=128'],
  worker: ['--max-semi-space-size=4'],
  notifier: ['--max-semi-space-size=4'],
};

export const PROCESS_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
