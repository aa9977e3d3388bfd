import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { BroadcastChannel, isMainThread, threadId } from 'node:worker_threads';

/**
 * Loaded with `--require` (NODE_OPTIONS) into the processes bench/worker-memory.ts measures, and so
 * into each of their threads too: a Temporal worker runs its workflows in a thread of its own, a
 * V8 isolate apart, whose heap the main thread's statistics do not include.
 *
 * On SIGURG the main thread asks every thread (a BroadcastChannel) to collect all garbage (two full
 * GCs) and report its heap, does the same, and writes the lot with the process's PSS to
 * `$BENCH_HEAP_PROBE_DIR/<pid>-<n>.json`. On SIGWINCH each thread writes a heap snapshot there
 * (`<pid>-<threadId>-<n>.heapsnapshot`). Not `--heapsnapshot-signal`: its SIGUSR2 is one of the
 * signals on which the Temporal SDK's default runtime shuts a worker down (the bare workers keep
 * that default). Nothing else runs in the process.
 */
const dir = process.env.BENCH_HEAP_PROBE_DIR;

interface HeapReading {
  threadId: number;
  usedHeap: number;
  totalHeap: number;
  external: number;
  contexts: number;
}

function heapNow(gc: () => void): HeapReading {
  gc();
  gc();
  const heap = v8.getHeapStatistics();
  return {
    threadId,
    usedHeap: heap.used_heap_size,
    totalHeap: heap.total_heap_size,
    external: heap.external_memory,
    contexts: heap.number_of_native_contexts,
  };
}

if (dir) {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const channel = new BroadcastChannel('bench-heap-probe');
  channel.unref();
  let snapshots = 0;
  if (!isMainThread) {
    channel.onmessage = (event) => {
      const ask = (event as { data: { kind: string } }).data;
      if (ask.kind === 'heap') channel.postMessage({ kind: 'reading', reading: heapNow(gc) });
      if (ask.kind === 'snapshot') writeSnapshot(dir, ++snapshots);
    };
  } else {
    let n = 0;
    const threads: HeapReading[] = [];
    channel.onmessage = (event) => {
      const said = (event as { data: { kind: string; reading?: HeapReading } }).data;
      if (said.kind === 'reading') threads.push(said.reading!);
    };
    process.on('SIGURG', () => {
      threads.length = 0;
      channel.postMessage({ kind: 'heap' });
      const main = heapNow(gc);
      // The threads answer within a few ms of a GC each; a second is plenty.
      setTimeout(() => {
        const rollup = fs.readFileSync(`/proc/${process.pid}/smaps_rollup`, 'utf8');
        const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? NaN);
        const file = path.join(dir, `${process.pid}-${++n}.json`);
        fs.writeFileSync(`${file}.tmp`, JSON.stringify({ main, threads, pssKb: kb('Pss'), anonKb: kb('Anonymous') }));
        fs.renameSync(`${file}.tmp`, file);
      }, 1000).unref();
    });
    process.on('SIGWINCH', () => {
      channel.postMessage({ kind: 'snapshot' });
      writeSnapshot(dir, ++snapshots);
    });
  }
}

function writeSnapshot(into: string, n: number): void {
  const file = path.join(into, `${process.pid}-${threadId}-${n}.heapsnapshot`);
  v8.writeHeapSnapshot(`${file}.tmp`);
  fs.renameSync(`${file}.tmp`, file);
}
