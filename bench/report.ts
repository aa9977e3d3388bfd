import fs from 'node:fs';
import type { Pair, Side } from './phases';
import { medianRound, roundRatios, targetsOf, type BenchResult, type Verdict } from './result';
import { headlineOf } from './headline';
import { doneWhenOf, type DoneWhenRow } from './done-when';
import type { RateRounds } from './regimes';
import { spreadOf } from './support/rounds';
import { checkBounds } from './bounds';
import type { EngineWork } from './support/history';
import { cpuPerOp, SIDE_PROCESSES, sumOfParts } from './support/sides';

/**
 * The run's figures as tables: plain text for the terminal, markdown for bench/README.md.
 * `node dist/bench/report.js <result.json>` prints the markdown; `--write bench/README.md` replaces
 * the part of that file between the `bench:results` markers.
 */
type Table = { title: string; head: string[]; rows: string[][] };

const f = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const ratio = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}x` : 'n/a');

function measures(r: BenchResult): Table {
  const rounds = r.rounds?.apply.length ?? 1;
  return {
    title: `Measures (${r.options.clients} concurrent clients unless said; baselines in the same run, on the same engines; medians of ${rounds} rounds, the side going first alternating; "not cached": a workflow cache smaller than the applications a round moves: the workers' default, 200, or a third of a round at quick sizes)`,
    head: ['measure', 'system', 'baseline', 'ratio', 'spread of the rounds', 'target'],
    rows: headlineOf(r).map((h) => [
      h.name,
      f(h.system, h.digits),
      f(h.baseline, h.digits),
      ratio(h.ratio.median),
      `${ratio(h.ratio.min)}–${ratio(h.ratio.max)}`,
      h.target,
    ]),
  };
}

/** A done-when value as it reads: a ratio, a difference in ms, or a figure with its unit. */
function shown(v: number, format: DoneWhenRow['format']): string {
  if (!Number.isFinite(v)) return 'n/a';
  if (format === 'x') return ratio(v);
  if (format === '+ms') return `${v < 0 ? '−' : '+'}${Math.abs(v).toFixed(1)} ms`;
  return `${f(v, format === 'MB' || format === 'ops/s' ? 0 : 1)} ${format}`;
}

/** Issue 25's "done when", first: one row per figure, its median and spread, target and verdict. */
function doneWhen(r: BenchResult): Table {
  const rounds = r.rounds?.apply.length ?? 1;
  const few = rounds < 3 ? ', fewer than the three the issue asks' : '';
  return {
    title: `Done when (issue 25): medians of ${rounds} round${rounds === 1 ? '' : 's'}${few}, with their spread (lowest and highest round). CPU: every process of each side at the same fixed offered rate (an open loop at half the bare engine's closed-loop throughput), HTTP load clients apart; "not cached": a workflow cache smaller than the applications a round moves. Memory: each round's peak, every round judged`,
    head: ['figure', 'value', 'spread of the rounds', 'target', 'verdict'],
    rows: doneWhenOf(r).map((row) => [
      row.figure,
      shown(row.value.median, row.format),
      row.value.min === row.value.max || !Number.isFinite(row.value.min)
        ? ''
        : `${shown(row.value.min, row.format)} – ${shown(row.value.max, row.format)}`,
      row.target,
      [row.ok === null ? (row.target ? 'not measured' : '') : row.ok ? 'met' : 'MISSED', row.note && `(${row.note})`]
        .filter(Boolean)
        .join(' '),
    ]),
  };
}

/** Which processes serve each phase: CPU of the others is idle noise, and their RSS is not the phase's. */
const SERVING: Record<string, { cpu: string[]; rss: string[] }> = {
  apply: {
    cpu: ['api', 'worker', 'notifier', 'temporal', 'postgres', 'redis', 'smtp', 'load'],
    rss: ['api', 'worker', 'notifier', 'smtp'],
  },
  'bare apply': { cpu: ['bare-worker', 'temporal', 'postgres', 'redis', 'load'], rss: ['bare-worker'] },
  list: { cpu: ['api', 'load'], rss: ['api'] },
  'bare list': { cpu: ['bare-list', 'load'], rss: ['bare-list'] },
};

function resources(r: BenchResult): Table {
  const phases: [string, keyof typeof SERVING, Side][] = [
    ['apply', 'apply', r.apply.system],
    ['bare apply', 'bare apply', r.apply.bare],
    ['stage change', 'apply', r.stageChange.system],
    ['bare stage change', 'bare apply', r.stageChange.bare],
    ...(r.cached
      ? ([
          ['apply, cached', 'apply', medianRound(r.cached.apply, roundRatios.apply, true).system],
          ['stage change, cached', 'apply', medianRound(r.cached.stageChange, roundRatios.stageChange, false).system],
          ['bare stage change, cached', 'bare apply', medianRound(r.cached.stageChange, roundRatios.stageChange, false).bare],
        ] as [string, keyof typeof SERVING, Side][])
      : []),
    ['list', 'list', r.list.system],
    ['bare list', 'bare list', r.list.bare],
  ];
  const memory = r.pss?.source === 'pss' ? 'PSS' : 'RSS';
  return {
    title: `Resources per phase (its median round): CPU ms per operation of each serving process, and of the load process over the measured operations (an HTTP client for the system and the bare list; for the bare Temporal baselines, the Temporal client the API holds on the system side), and highest ${memory === 'PSS' ? 'PSS (proportional set size: shared pages counted a share in each process)' : 'RSS (smaps_rollup was unreadable)'} (MB)`,
    head: ['phase', 'CPU ms per operation', `${memory} max (MB)`],
    rows: phases.map(([name, kind, side]) => [
      name,
      SERVING[kind].cpu
        .filter((p) => side.usage[p])
        .map((p) => `${p} ${f(side.usage[p].cpuMs / side.summary.ops, 2)}`)
        .join(', '),
      SERVING[kind].rss
        .filter((p) => side.usage[p])
        .map((p) => `${p} ${f(side.usage[p].pssMaxMb ?? side.usage[p].rssMaxMb, 0)}`)
        .join(', '),
    ]),
  };
}

/** The sides of a pair, as the tables name them. */
const SIDE_NAMES = {
  system: 'system',
  bare: 'minimal bare engine',
  matched: 'matched bare engine',
  crud: 'CRUD (bare route + raw notifier)',
} as const;

/**
 * CPU per operation at a fixed offered rate, in each cache regime: each side's processes
 * (`atRate.sides`) one by one and summed, medians over the rounds, with the load process's own CPU
 * and the rate each side achieved.
 */
function atRate(r: BenchResult): Table | null {
  if (!r.atRate) return null;
  const { sides } = r.atRate;
  const processesOf = (side: keyof typeof SIDE_NAMES): readonly string[] =>
    sides[side] ?? SIDE_PROCESSES[side === 'bare' ? 'minimal' : side];
  const med = (rounds: Pair[], fn: (p: Pair) => number) => spreadOf(rounds.map(fn)).median;
  const regimes: [string, RateRounds | undefined][] = [
    ['not cached', r.atRate],
    [r.atRate.cached ? `${r.atRate.cached.maxCachedWorkflows} cached` : '', r.atRate.cached],
  ];
  const rows = regimes.flatMap(([regime, rated]) =>
    !rated
      ? []
      : (
          [
            ['apply', rated.apply, rated.applyRate],
            ['stage change', rated.stageChange, rated.stageChangeRate],
          ] as const
        ).flatMap(([name, rounds, rate]) =>
          (Object.keys(SIDE_NAMES) as (keyof typeof SIDE_NAMES)[])
            // The CRUD side, without a workflow cache, runs once: its rounds stand in both regimes.
            .filter((side) => rounds.some((p) => p[side]) && !(side === 'crud' && rated !== r.atRate))
            .map((side) => {
              const ran = rounds.filter((p) => p[side]);
              const of = (fn: (s: Side) => number) => med(ran, (p) => fn(p[side]!));
              return [
                `${name}, ${regime}: ${SIDE_NAMES[side]}`,
                f(rate),
                f(of((s) => s.summary.opsPerSec)),
                f(of((s) => s.summary.p50)),
                f(of((s) => s.summary.p99)),
                processesOf(side)
                  .filter((proc) => ran.some((p) => p[side]!.usage[proc]))
                  .map(
                    (proc) =>
                      `${proc} ${f(
                        of((s) => cpuPerOp(s, [proc])),
                        2,
                      )}`,
                  )
                  .join(', '),
                f(
                  of((s) => cpuPerOp(s, processesOf(side))),
                  2,
                ),
                f(
                  of((s) => cpuPerOp(s, ['load'])),
                  2,
                ),
              ];
            }),
        ),
  );
  return {
    title:
      "CPU per operation at a fixed offered rate (an open loop at half the bare engine's closed-loop throughput, the same in both cache regimes; latency from when each operation was due): each side's processes and their sum over the measured operations, medians of the rounds; the CRUD side has no workflow cache, and its rounds stand in both regimes' sums; load: the load process's own CPU, counted in the sum only where it is a bare engine's Temporal client (the API's part on the system's side), never where it is an HTTP client",
    head: [
      'transition, regime: side',
      'offered (ops/s)',
      'achieved (ops/s)',
      'p50 (ms)',
      'p99 (ms)',
      'CPU ms per operation by process',
      'sum',
      'load',
    ],
    rows,
  };
}

const STEPS = ['prepare', 'journal', 'temporal', 'record', 'enqueue', 'read'];

/** The API's own account of its transition requests, step by step, beside what the clients saw. */
function steps(r: BenchResult): Table | null {
  const restRound = (rounds: Pair[]) => medianRound(rounds, (p) => p.system.summary.p50 - p.bare.summary.p50, false);
  const sides: [string, string, Pair | undefined][] = [
    ['apply', String(r.options.clients), r.apply],
    ['stage change', String(r.options.clients), r.stageChange],
    ...(r.atRest?.apply.length
      ? ([
          ['apply', '1, at rest', restRound(r.atRest.apply)],
          ['stage change', '1, at rest', restRound(r.atRest.stageChange)],
        ] as [string, string, Pair][])
      : []),
    ...r.curves.clients.flatMap((c): [string, string, Pair | undefined][] => [
      ['apply', String(c.clients), c.apply],
      ['stage change', String(c.clients), c.stageChange],
    ]),
  ];
  const rows = sides
    .filter(([, , pair]) => pair?.system.steps && Object.keys(pair.system.steps).length)
    .map(([name, clients, pair]) => {
      const timed = pair!.system.steps!;
      const total = STEPS.reduce((sum, step) => sum + (timed[step] ?? 0), 0);
      const mean = pair!.system.summary.mean;
      return [
        name,
        clients,
        ...STEPS.map((step) => (timed[step] === undefined ? '' : f(timed[step], 2))),
        f(total, 2),
        f(mean - total, 2),
        f(mean, 2),
        f(pair!.bare.summary.mean, 2),
        pair!.matched ? f(pair!.matched.summary.mean, 2) : '',
      ];
    });
  if (!rows.length) return null;
  return {
    title:
      "Where a request's time goes: the API's steps (mean ms per request, its ats_transition_step_seconds), the rest of the request (HTTP, authentication, authorization, JSON, the network), and the mean latency each side's clients saw (at rest: 1 client, the working set cached, the round whose p50 over the bare engine's is the median)",
    head: ['transition', 'clients', ...STEPS, 'steps', 'rest', 'client mean', 'minimal bare client mean', 'matched bare client mean'],
    rows,
  };
}

/**
 * The sum of bare parts doing the system's work: the feature-matched bare engine, and the CRUD side
 * (the bare route with the raw notifier), each measured on its own, beside the system and the minimal
 * bare engine; then the system's CPU per transition over each sum.
 */
function parts(r: BenchResult): Table | null {
  const transitions: [string, Pair][] = [
    ['apply', r.apply],
    ['stage change', r.stageChange],
  ];
  if (!transitions.some(([, pair]) => pair.matched && pair.crud)) return null;
  const sides: [string, keyof typeof SIDE_PROCESSES, (p: Pair) => Side | undefined][] = [
    ['system', 'system', (p) => p.system],
    ['minimal bare engine', 'minimal', (p) => p.bare],
    ['matched bare engine', 'matched', (p) => p.matched],
    ['CRUD (bare route + raw notifier)', 'crud', (p) => p.crud],
  ];
  const rows = transitions.flatMap(([name, pair]) => {
    const sums = sumOfParts(pair);
    return [
      ...sides.flatMap(([label, kind, pick]) => {
        const side = pick(pair);
        if (!side) return [];
        const s = side.summary;
        return [[`${name}: ${label}`, f(s.opsPerSec), f(s.p50), f(s.p99), f(cpuPerOp(side, SIDE_PROCESSES[kind]), 2)]];
      }),
      ...(sums
        ? [
            [`${name}: system CPU / (matched engine + bare route + raw notifier)`, '', '', '', ratio(sums.toMatchedSum)],
            [`${name}: system CPU / (minimal engine + bare route + raw notifier)`, '', '', '', ratio(sums.toMinimalSum)],
          ]
        : []),
    ];
  });
  return {
    title: `Sum of bare parts (${r.options.clients} concurrent clients): each side's CPU ms per operation summed over its processes (${Object.entries(
      SIDE_PROCESSES,
    )
      .map(([k, ps]) => `${k}: ${ps.join(' + ')}`)
      .join('; ')})`,
    head: ['side', 'ops/s', 'p50 (ms)', 'p99 (ms)', 'CPU ms per operation'],
    rows,
  };
}

function histories(r: BenchResult): Table {
  const rows = (label: string, example: string[][]) =>
    example.map((events, i) => [`${label} ${i === 0 ? 'apply' : `stage change ${i}`}`, events.join(', ')]);
  return {
    title: 'One history of each kind, event types by transition',
    head: ['transition', 'events'],
    rows: [
      ...rows('system', r.engineWork.system.example ?? []),
      ...rows('bare', r.engineWork.bare.example ?? []),
      ...rows('matched', r.engineWork.matched?.example ?? []),
    ],
  };
}

/** The reports at the list's applications, one request at a time; absent from runs before they were measured. */
function reports(r: BenchResult): Table | null {
  if (!r.reports) return null;
  return {
    title: `Reports at ${r.reports.rows} applications (one request at a time, as an admin; one job: the list's first; medians of ${r.reports.rounds.length} rounds)`,
    head: ['measure', 'p50 ms', 'p99 ms', 'API CPU ms per request', 'errors'],
    rows: Object.entries(r.reports.figures).map(([name, v]) => [name, f(v.p50), f(v.p99), f(v.cpuMsPerRequest), String(v.errors)]),
  };
}

function work(r: BenchResult): Table {
  const cells = (w: EngineWork) => [
    f(w.events),
    f(w.workflowTasks),
    f(w.activityTasks),
    f(w.timersStarted),
    f(w.timersCanceled),
    f(w.searchAttributeUpserts),
  ];
  const { system, bare, matched } = r.engineWork;
  return {
    title: `Engine work per transition (mean over ${system.workflows} workflows per side, from their histories)`,
    head: [
      'transition',
      'history events',
      'workflow tasks',
      'activity tasks',
      'timers started',
      'timers cancelled',
      'search attribute upserts',
    ],
    rows: [
      ['apply', ...cells(system.apply)],
      ['bare update-with-start', ...cells(bare.apply)],
      ...(matched ? [['matched update-with-start', ...cells(matched.apply)]] : []),
      ['stage change', ...cells(system.stageChange)],
      ['bare executeUpdate', ...cells(bare.stageChange)],
      ...(matched ? [['matched executeUpdate', ...cells(matched.stageChange)]] : []),
    ],
  };
}

function verdicts(title: string, vs: Verdict[]): Table {
  return { title, head: ['figure', 'value', 'bound', ''], rows: vs.map((v) => [v.name, f(v.value, 2), v.bound, v.ok ? 'met' : 'MISSED']) };
}

function curves(r: BenchResult): Table[] {
  const tables: Table[] = [];
  if (r.curves.workers.length) {
    tables.push({
      title: 'Apply throughput by worker processes',
      head: ['workers', 'apply (ops/s)', 'p99 (ms)', 'bare update-with-start (ops/s)', 'ratio'],
      rows: r.curves.workers.map((c) => [
        String(c.workers),
        f(c.apply.system.summary.opsPerSec),
        f(c.apply.system.summary.p99),
        f(c.apply.bare.summary.opsPerSec),
        ratio(c.apply.system.summary.opsPerSec / c.apply.bare.summary.opsPerSec),
      ]),
    });
  }
  if (r.curves.clients?.length) {
    const perApply = r.engineWork.bare.apply.events;
    tables.push({
      title:
        'Apply throughput by concurrent clients (the engine saturates where the bare side stops growing; history events/s = bare ops/s × its events per apply)',
      head: ['clients', 'apply (ops/s)', 'p99 (ms)', 'bare update-with-start (ops/s)', 'bare p99 (ms)', 'ratio', 'bare history events/s'],
      rows: r.curves.clients.map((c) => [
        String(c.clients),
        f(c.apply.system.summary.opsPerSec),
        f(c.apply.system.summary.p99),
        f(c.apply.bare.summary.opsPerSec),
        f(c.apply.bare.summary.p99),
        ratio(c.apply.system.summary.opsPerSec / c.apply.bare.summary.opsPerSec),
        f(c.apply.bare.summary.opsPerSec * perApply, 0),
      ]),
    });
    const moves = r.curves.clients.filter((c) => c.stageChange);
    if (moves.length) {
      tables.push({
        title: 'Stage change by concurrent clients (one change per application; p50 unloaded at 1 client, on saturated cores above)',
        head: [
          'clients',
          'stage change p50 (ms)',
          'bare executeUpdate p50 (ms)',
          'p50 ratio',
          'stage change (ops/s)',
          'bare (ops/s)',
          'throughput ratio',
        ],
        rows: moves.map(({ clients, stageChange: m }) => [
          String(clients),
          f(m!.system.summary.p50),
          f(m!.bare.summary.p50),
          ratio(m!.system.summary.p50 / m!.bare.summary.p50),
          f(m!.system.summary.opsPerSec),
          f(m!.bare.summary.opsPerSec),
          ratio(m!.system.summary.opsPerSec / m!.bare.summary.opsPerSec),
        ]),
      });
    }
  }
  if (r.curves.list.length) {
    tables.push({
      title: 'List p99 by projection size',
      head: ['applications', 'list p99 (ms)', 'bare Koa p99 (ms)', 'ratio', `API ${r.pss?.source === 'pss' ? 'PSS' : 'RSS'} max (MB)`],
      rows: r.curves.list.map((c) => [
        String(c.rows),
        f(c.system.summary.p99, 2),
        f(c.bare.summary.p99, 2),
        ratio(c.system.summary.p99 / c.bare.summary.p99),
        f(c.system.usage.api?.pssMaxMb ?? c.system.usage.api?.rssMaxMb ?? NaN, 0),
      ]),
    });
  }
  return tables;
}

function roundsOf(r: BenchResult): Table[] {
  if (!r.rounds || r.rounds.apply.length < 2) return [];
  const cell = <T>(items: T[], k: number, fn: (t: T) => number) => (items[k] ? ratio(fn(items[k])) : '');
  return [
    {
      title: 'Ratios by round (the headline ratios are their medians; odd rounds ran the baseline first, even ones the system)',
      head: ['round', 'apply throughput', 'stage change p50', 'list p99', 'notifier'],
      rows: r.rounds.apply.map((_, k) => [
        String(k + 1),
        cell(r.rounds.apply, k, roundRatios.apply),
        cell(r.rounds.stageChange, k, roundRatios.stageChange),
        cell(r.rounds.list, k, roundRatios.list),
        cell(r.rounds.notifier, k, roundRatios.notifier),
      ]),
    },
  ];
}

export function tablesOf(r: BenchResult): Table[] {
  const stepTable = steps(r);
  const partsTable = parts(r);
  const rateTable = atRate(r);
  const reportTable = reports(r);
  return [
    doneWhen(r),
    measures(r),
    ...roundsOf(r),
    work(r),
    resources(r),
    ...(rateTable ? [rateTable] : []),
    ...(reportTable ? [reportTable] : []),
    ...(partsTable ? [partsTable] : []),
    ...(stepTable ? [stepTable] : []),
    verdicts('Targets', targetsOf(r)),
    ...curves(r),
    ...(r.options.check ? [verdicts('Regression check (bench/bounds.ts)', checkBounds(r))] : []),
  ];
}

export function textOf(tables: Table[]): string {
  return tables
    .map((t) => {
      const widths = t.head.map((h, i) => Math.max(h.length, ...t.rows.map((row) => (row[i] ?? '').length)));
      const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
      return [t.title, line(t.head), ...t.rows.map(line)].join('\n');
    })
    .join('\n\n');
}

export function markdownOf(r: BenchResult): string {
  const m = r.machine;
  const intro = [
    `Run of ${r.finishedAt.slice(0, 16).replace('T', ' ')} UTC: \`${r.command}\` on ${m.cpus} × ${m.cpuModel}, ${f(m.memoryGb, 0)} GB, Node ${m.node}, Linux ${m.kernel}.`,
    `${r.options.applies} applies and ${r.options.applies * r.options.movesPerApplication} stage changes per side after ${r.options.warmup} warm-up operations, ${r.options.listRequests} list requests per side, ${r.options.notifications} notifications per side.`,
  ].join('\n');
  const [done, ...tables] = [...tablesOf(r), histories(r)].map((t) =>
    [
      `**${t.title}**`,
      '',
      `| ${t.head.join(' | ')} |`,
      `|${t.head.map(() => ' --- ').join('|')}|`,
      ...t.rows.map((row) => `| ${row.join(' | ')} |`),
    ].join('\n'),
  );
  // The done-when table first, before the run's description and the other tables.
  return [done, intro, ...tables].join('\n\n');
}

export const MARKERS = ['<!-- bench:results:start -->', '<!-- bench:results:end -->'] as const;

function main(argv: string[]): void {
  const [file, flag, target] = argv;
  if (!file || (flag && (flag !== '--write' || !target))) {
    process.stderr.write('usage: node dist/bench/report.js <result.json> [--write bench/README.md]\n');
    process.exit(2);
  }
  const md = markdownOf(JSON.parse(fs.readFileSync(file, 'utf8')) as BenchResult);
  if (!target) {
    process.stdout.write(`${md}\n`);
    return;
  }
  const doc = fs.readFileSync(target, 'utf8');
  const [start, end] = [doc.indexOf(MARKERS[0]), doc.indexOf(MARKERS[1])];
  if (start < 0 || end < start) throw new Error(`${target} has no ${MARKERS[0]} … ${MARKERS[1]} section`);
  fs.writeFileSync(target, `${doc.slice(0, start + MARKERS[0].length)}\n${md}\n${doc.slice(end)}`);
  process.stdout.write(`wrote the results of ${file} into ${target}\n`);
}

if (require.main === module) main(process.argv.slice(2));
