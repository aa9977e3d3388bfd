/** How big a run is. The full run is what bench/README.md reports; the quick one is CI's regression check. */
export interface BenchOptions {
  quick: boolean;
  /** Concurrent clients of every measured load, system and baseline alike. */
  clients: number;
  /** Each measure is taken this many times, the side that goes first alternating; the median of the rounds' ratios is reported. */
  rounds: number;
  /** Applications per side (system and bare), after `warmup` more. */
  applies: number;
  /** Stage changes per application (screening, interview, offer: at most 3, none final). */
  movesPerApplication: number;
  warmup: number;
  /** Applications in the projection while lists are measured. */
  listRows: number;
  listRequests: number;
  notifications: number;
  /** Workflows whose histories are read for the engine work per transition, per side. */
  historySample: number;
  /** Worker processes for the apply curve (empty: no curve). */
  workerCurve: number[];
  /** Client counts for the apply saturation curve (empty: no curve). */
  clientsCurve: number[];
  /** Projection sizes for the list curve (empty: no curve). */
  listCurve: number[];
  /** --cpu-prof for the API, worker and notifier; profiles land in the run's folder. */
  profile: boolean;
  /** A Temporal frontend already serving (e.g. the full server on PostgreSQL) instead of a fresh dev server. */
  temporalAddress?: string;
  /** Start the full Temporal server on PostgreSQL (as `npm run test:cluster` does) instead of the dev server. */
  temporalServer: boolean;
  /** The API, worker and notifier trace into a Jaeger the bench starts: the overhead of tracing, as a figure of its own. */
  tracing: boolean;
  /** Compare ratios with bench/bounds.ts and exit 1 when one is far off (always on in quick mode). */
  check: boolean;
  outDir: string;
}

const FULL = { applies: 600, listRows: 100_000, listRequests: 3000, notifications: 3000, historySample: 20 };
const QUICK = { applies: 100, listRows: 20_000, listRequests: 600, notifications: 500, historySample: 10 };

export const USAGE = `usage: npm run bench -- [options]
  --quick                 small sizes (about 6 min on 2 cores); checks ratios against bench/bounds.ts (also BENCH_QUICK=1)
  --clients N             concurrent clients of every load (10)
  --rounds N              take each measure N times, the side going first alternating, and report the
                          median of the rounds' ratios with their spread (3)
  --applies N             applications per side (${FULL.applies}; quick ${QUICK.applies})
  --moves N               stage changes per application, 1-3 (3)
  --rows N                applications in the projection for the list (${FULL.listRows}; quick ${QUICK.listRows})
  --list-requests N       list requests per side (${FULL.listRequests}; quick ${QUICK.listRequests})
  --notifications N       notification jobs per side (${FULL.notifications}; quick ${QUICK.notifications})
  --history-sample N      workflows per side whose histories are counted (${FULL.historySample}; quick ${QUICK.historySample})
  --worker-curve 1,2,4    also measure apply throughput with that many worker processes
  --clients-curve 1,5,10,20
                          also measure apply and bare update-with-start at these concurrencies
  --list-curve 10000,100000,1000000
                          also measure list p99 at these projection sizes
  --temporal HOST:PORT    use this Temporal frontend (e.g. the full server on PostgreSQL, with the
                          ApplicationStage and JobId search attributes) instead of a fresh dev server
  --temporal-server       start the full Temporal server on PostgreSQL (as npm run test:cluster builds
                          it) instead of the dev server; its CPU and memory are sampled with PostgreSQL's
  --profile               run the API, worker and notifier with --cpu-prof
  --tracing               run the API, worker and notifier with OpenTelemetry tracing on, into a
                          Jaeger the bench starts (the overhead of tracing)
  --check                 compare ratios with bench/bounds.ts and exit 1 when one is far off
  --out DIR               where the JSON results go (var/bench)`;

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const quick = argv.includes('--quick') || env.BENCH_QUICK === '1';
  const sizes = quick ? QUICK : FULL;
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value\n${USAGE}`);
    return v;
  };
  const int = (flag: string, fallback: number, min = 1): number => {
    const v = value(flag);
    if (v === undefined) return fallback;
    const n = Number(v.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer >= ${min}, got ${v}\n${USAGE}`);
    return n;
  };
  const list = (flag: string): number[] =>
    value(flag)
      ?.split(',')
      .map((v) => {
        const n = Number(v.replace(/_/g, ''));
        if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} takes positive integers separated by commas, got ${v}\n${USAGE}`);
        return n;
      }) ?? [];
  const known = new Set([
    '--quick',
    '--rounds',
    '--clients',
    '--applies',
    '--moves',
    '--rows',
    '--list-requests',
    '--notifications',
    '--history-sample',
    '--worker-curve',
    '--clients-curve',
    '--list-curve',
    '--temporal',
    '--temporal-server',
    '--profile',
    '--tracing',
    '--check',
    '--out',
  ]);
  for (const [i, a] of argv.entries()) {
    if (a.startsWith('--') && !known.has(a)) throw new Error(`unknown option ${a}\n${USAGE}`);
    if (
      !a.startsWith('--') &&
      !(
        i > 0 &&
        argv[i - 1].startsWith('--') &&
        !['--quick', '--temporal-server', '--profile', '--tracing', '--check'].includes(argv[i - 1])
      )
    )
      throw new Error(`unexpected argument ${a}\n${USAGE}`);
  }
  const clients = int('--clients', 10);
  if (argv.includes('--temporal') && argv.includes('--temporal-server'))
    throw new Error(`--temporal and --temporal-server exclude each other\n${USAGE}`);
  return {
    quick,
    clients,
    rounds: int('--rounds', 3),
    applies: int('--applies', sizes.applies),
    movesPerApplication: Math.min(3, int('--moves', 3)),
    warmup: 2 * clients,
    listRows: int('--rows', sizes.listRows, 100),
    listRequests: int('--list-requests', sizes.listRequests),
    notifications: int('--notifications', sizes.notifications),
    historySample: int('--history-sample', sizes.historySample),
    workerCurve: list('--worker-curve'),
    clientsCurve: list('--clients-curve'),
    listCurve: list('--list-curve'),
    temporalAddress: value('--temporal'),
    temporalServer: argv.includes('--temporal-server'),
    profile: argv.includes('--profile'),
    tracing: argv.includes('--tracing'),
    check: quick || argv.includes('--check'),
    outDir: value('--out') ?? 'var/bench',
  };
}
