import type { Client, WorkflowHandle } from '@temporalio/client';

/** What the engine writes for one transition: history events, and the tasks and timers among them. */
export interface EngineWork {
  events: number;
  workflowTasks: number;
  activityTasks: number;
  timersStarted: number;
  timersCanceled: number;
  searchAttributeUpserts: number;
}

type Event = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

const count = (events: Event[], has: (e: Event) => unknown) => events.filter((e) => has(e) != null).length;

function workOf(events: Event[]): EngineWork {
  return {
    events: events.length,
    workflowTasks: count(events, (e) => e.workflowTaskScheduledEventAttributes),
    activityTasks: count(events, (e) => e.activityTaskScheduledEventAttributes),
    timersStarted: count(events, (e) => e.timerStartedEventAttributes),
    timersCanceled: count(events, (e) => e.timerCanceledEventAttributes),
    searchAttributeUpserts: count(events, (e) => e.upsertWorkflowSearchAttributesEventAttributes),
  };
}

/**
 * Splits a history into its transitions. Each accepted update starts one, together with the workflow
 * task that carried it (the task's scheduled and started events come just before the acceptance);
 * everything up to the next (follow-up workflow tasks, the recording activity, timers) belongs to it.
 * The first segment, from the start, is the apply; the others are stage changes.
 */
export function segmentsOf(events: Event[]): Event[][] {
  const starts: number[] = [];
  for (const [i, e] of events.entries()) {
    if (!e.workflowExecutionUpdateAcceptedEventAttributes) continue;
    let from = i;
    while (from > 0 && !events[from].workflowTaskScheduledEventAttributes) from--;
    starts.push(from);
  }
  if (!starts.length) return [];
  const bounds = [0, ...starts.slice(1), events.length];
  return bounds.slice(0, -1).map((from, k) => events.slice(from, bounds[k + 1]));
}

/** An event's type, named after its attributes (`workflowTaskScheduled`, `timerStarted`, …). */
export function typeOf(e: Event): string {
  const key = Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k] != null);
  return key ? key.replace(/EventAttributes$/, '') : String(e.eventType);
}

export interface WorkPerTransition {
  workflows: number;
  apply: EngineWork;
  stageChange: EngineWork;
  /** The first workflow's history, event types by transition: what the counts are made of. */
  example: string[][];
}

const mean = (works: EngineWork[]): EngineWork => {
  const keys = ['events', 'workflowTasks', 'activityTasks', 'timersStarted', 'timersCanceled', 'searchAttributeUpserts'] as const;
  return Object.fromEntries(
    keys.map((k) => [k, works.length ? works.reduce((a, w) => a + w[k], 0) / works.length : NaN]),
  ) as unknown as EngineWork;
};

/**
 * Reads the histories of `workflowIds` once they stop growing (the recording after the last answer
 * runs on its own), and averages the work per apply and per stage change.
 */
export async function engineWork(client: Client, workflowIds: string[], settleMs = 20_000): Promise<WorkPerTransition> {
  const applies: EngineWork[] = [];
  const changes: EngineWork[] = [];
  let example: string[][] = [];
  for (const id of workflowIds) {
    const handle = client.workflow.getHandle(id);
    let events: Event[] = [];
    const deadline = Date.now() + settleMs;
    for (;;) {
      const next = (await handle.fetchHistory()).events ?? [];
      const last = next[next.length - 1];
      // At rest a history ends with a completed workflow task (or, for the bare workflow, the
      // update's completion): while the recording activity runs, its timer events come last.
      const idle =
        !!last &&
        (last.workflowTaskCompletedEventAttributes != null ||
          last.workflowExecutionUpdateCompletedEventAttributes != null ||
          last.workflowExecutionCompletedEventAttributes != null);
      if ((idle && next.length === events.length) || Date.now() > deadline) {
        events = next;
        break;
      }
      events = next;
      await new Promise((r) => setTimeout(r, 300));
    }
    const segments = segmentsOf(events);
    if (!example.length) example = segments.map((segment) => segment.map(typeOf));
    const [apply, ...rest] = segments.map(workOf);
    if (apply) applies.push(apply);
    changes.push(...rest);
  }
  return { workflows: workflowIds.length, apply: mean(applies), stageChange: mean(changes), example };
}
