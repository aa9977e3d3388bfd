import { z } from '../openapi';
import { MAX_STAGES, MIN_STAGES, STAGE_ID_PATTERN, STAGE_KINDS } from '../../domain/pipelines';
import type { StoredPipeline } from '../../jobs/pipelines';
import type { PipelineMigrationRecord } from '../../jobs/pipeline-migrations';
import { IdParams } from './id.schemas';
import { text } from './text.schemas';

export const StageKindEnum = z.enum(STAGE_KINDS).openapi('StageKind', {
  description: 'Ties a stage to one of five fixed kinds, so reports add up across jobs with different pipelines.',
});

const StageId = z
  .string()
  .regex(new RegExp(STAGE_ID_PATTERN), 'A stage id is 1 to 40 of a-z, 0-9, `_` and `-`.')
  .openapi({ example: 'tech-screen' });

export const PipelineStageJson = z
  .strictObject({
    id: StageId,
    name: text({ max: 100, trim: true }).openapi({ example: 'Technical screen' }),
    kind: StageKindEnum,
    slaSeconds: z.number().int().min(60).nullable().optional().openapi({
      description: 'How long an application may wait here before its recruiters are reminded; absent or null: `STAGE_SLA_SECONDS`.',
      example: 259200,
    }),
  })
  .openapi('PipelineStage');

export const PipelineJson = z
  .object({
    jobId: z.string(),
    version: z.number().int().min(1),
    stages: z.array(PipelineStageJson),
    createdAt: z.string().openapi({ format: 'date-time' }),
    createdBy: z.string().nullable().openapi({ description: "Who published this version (version 1: the job's creator)." }),
  })
  .openapi('Pipeline');

export const PublishPipelineBody = z
  .strictObject({ stages: z.array(PipelineStageJson).min(MIN_STAGES).max(MAX_STAGES) })
  .openapi('PublishPipeline', {
    description: `${MIN_STAGES}–${MAX_STAGES} stages, the first of kind \`applied\`, the last (and only the last) of kind \`hired\`; ids unique, never \`rejected\`, and an id keeps its kind in every version.`,
  });

const Version = z.coerce
  .number()
  .int()
  .min(1)
  .max(1_000_000)
  .openapi({ type: 'integer', minimum: 1, maximum: 1_000_000, description: 'A version of the pipeline; absent: the current one.' });

export const PipelineQuery = z.object({ version: Version.optional() });

const VersionNumber = z.number().int().min(1).max(1_000_000);

export const StartMigrationBody = z
  .strictObject({
    fromVersion: VersionNumber,
    toVersion: VersionNumber,
    // `__proto__` never reaches the schema: the JSON parser refuses it as a key (400), so it is not offered.
    stageMap: z.record(z.string().max(40), z.string().max(40)).openapi({
      ...({ propertyNames: { type: 'string', maxLength: 40, not: { const: '__proto__' } } } as object),
      description: 'Every non-final stage id of `fromVersion` to a non-final stage id of `toVersion`.',
      example: { applied: 'applied', screening: 'phone-screen', interview: 'onsite', offer: 'offer' },
    }),
    dryRun: z.boolean().optional().openapi({ description: '`true`: count the applications it would move, and change nothing.' }),
  })
  .openapi('StartMigration');

export const MigrationJson = z
  .object({
    id: z.string(),
    jobId: z.string(),
    fromVersion: z.number().int(),
    toVersion: z.number().int(),
    stageMap: z.record(z.string(), z.string()),
    status: z.enum(['running', 'completed', 'failed']).openapi({
      description: '`completed`: every application moved or counted in `failed`; `failed`: the migration itself could not run.',
    }),
    total: z.number().int().min(0),
    migrated: z.number().int().min(0),
    failed: z.number().int().min(0),
    createdAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('PipelineMigration');

export const MigrationDryRunJson = z
  .object({
    fromVersion: z.number().int(),
    toVersion: z.number().int(),
    total: z.number().int().min(0),
    byStage: z
      .record(z.string(), z.number().int().min(0))
      .openapi({ description: 'Running applications per non-final stage of `fromVersion`.' }),
  })
  .openapi('PipelineMigrationDryRun');

export const MigrationParams = IdParams.extend({
  migrationId: z.string().openapi({ param: { name: 'migrationId', in: 'path' }, example: 'migration-abcdefghij' }),
});

export function toPipelineJson(p: StoredPipeline): z.output<typeof PipelineJson> {
  return {
    jobId: String(p.jobId),
    version: p.version,
    stages: p.stages.map((s) => ({ id: s.id, name: s.name, kind: s.kind, slaSeconds: s.slaSeconds ?? null })),
    createdAt: p.createdAt,
    createdBy: p.createdBy === null ? null : String(p.createdBy),
  };
}

export function toMigrationJson(m: PipelineMigrationRecord): z.output<typeof MigrationJson> {
  const { id, fromVersion, toVersion, stageMap, status, total, migrated, failed, createdAt } = m;
  return { id, jobId: String(m.jobId), fromVersion, toVersion, stageMap, status, total, migrated, failed, createdAt };
}
