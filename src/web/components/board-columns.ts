import type { Application, PipelineStage } from '../api/client';

/** One column of a job's board: a stage of its pipeline, or `rejected`. */
export interface Column {
  id: string;
  name: string;
  /** Nothing moves out of it (but a reopen, which the board does not offer). */
  final: boolean;
}

/** The default pipeline, for a job whose pipeline the API does not answer. */
export const DEFAULT_STAGES: PipelineStage[] = (['applied', 'screening', 'interview', 'offer', 'hired'] as const).map((kind) => ({
  id: kind,
  name: kind,
  kind,
}));

/**
 * The board's columns: the stages of the job's current pipeline in order, then any stage that only an
 * older version has and an application pinned to it is still in, then `rejected`.
 */
export function boardColumns(stages: PipelineStage[], apps: Application[]): Column[] {
  const columns: Column[] = stages.map((s) => ({ id: s.id, name: s.name, final: s.kind === 'hired' }));
  const known = new Set([...columns.map((c) => c.id), 'rejected']);
  for (const app of apps) {
    if (known.has(app.stage)) continue;
    known.add(app.stage);
    columns.splice(columns.length - 1, 0, { id: app.stage, name: app.stage, final: false });
  }
  return [...columns, { id: 'rejected', name: 'rejected', final: true }];
}
