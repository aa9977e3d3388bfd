import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { Stage } from '../../domain/stages';

/**
 * The SQL projection of one application workflow. Only the projection function
 * (src/applications/application-projection.ts) writes `stage` and `seq`; `seq` is the sequence
 * number of the last transition applied, so a replayed or retried write for an older transition can
 * never move the stage backwards.
 */
export const ApplicationSchema = defineEntity({
  name: 'Application',
  tableName: 'applications',
  properties: {
    id: p.string().primary(),
    jobId: p.integer(),
    candidateId: p.integer(),
    stage: p.string().$type<Stage>(),
    seq: p.integer(),
    coverLetter: p.text().nullable(),
    resumeUrl: p.string().nullable(),
    createdAt: p.string(),
    updatedAt: p.string(),
  },
});

export type Application = InferEntity<typeof ApplicationSchema>;

/** One accepted transition; `(applicationId, seq)` is unique, so each is recorded exactly once. */
export const StageEventSchema = defineEntity({
  name: 'StageEvent',
  tableName: 'stage_events',
  properties: {
    id: p.integer().primary().autoincrement(),
    applicationId: p.string(),
    seq: p.integer(),
    fromStage: p.string().$type<Stage>().nullable(),
    toStage: p.string().$type<Stage>(),
    at: p.string(),
    actor: p.string().nullable(),
    reason: p.string().nullable(),
  },
});

export type StageEvent = InferEntity<typeof StageEventSchema>;
