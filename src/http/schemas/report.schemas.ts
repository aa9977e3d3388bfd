import { z } from '../openapi';
import { ID_PATTERN } from './company.schemas';
import { StageKindEnum } from './pipeline.schemas';

const JobId = z
  .string()
  .regex(ID_PATTERN, 'A job id')
  .openapi({ description: "The job's id: required for everyone but admins, who may leave it out for every job." });
const Instant = z.iso.datetime({ offset: true }).openapi({ format: 'date-time', example: '2026-12-01T00:00:00Z' });

export const FunnelQuery = z
  .object({
    jobId: JobId.optional(),
    from: Instant.optional().openapi({ description: 'Only applications created at or after this instant.' }),
    to: Instant.optional().openapi({ description: 'Only applications created before this instant; not before `from`.' }),
  })
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.to) >= Date.parse(q.from), {
    path: ['to'],
    message: 'The period ends before it begins: `to` is before `from`.',
  });

export const TimeInStageQuery = z.object({ jobId: JobId.optional() });

const Count = z.number().int().min(0);

export const FunnelJson = z
  .object({
    stages: z.array(
      z.object({
        kind: StageKindEnum,
        stageIds: z.array(z.string()).openapi({ description: 'The stage ids of this kind the applications entered, sorted.' }),
        entered: Count.openapi({ description: 'Applications that ever entered a stage of this kind.' }),
        current: Count.openapi({ description: 'Applications in a stage of this kind now (0 for `hired`, which is final).' }),
        advanced: Count.openapi({ description: 'Applications that entered it and, after that, a stage of a later kind.' }),
        rejected: Count.openapi({ description: 'Applications rejected or withdrawn while in a stage of this kind.' }),
        conversion: z.number().min(0).max(1).openapi({ description: '`advanced / entered` to 4 places; 0 when none entered.' }),
        timeInStage: z.object({
          p50Seconds: z.number().int().nullable(),
          p90Seconds: z.number().int().nullable(),
        }),
      }),
    ),
    hires: Count.openapi({ description: 'Applications that reached a stage of kind `hired`.' }),
    medianDaysToHire: z
      .number()
      .nullable()
      .openapi({ description: 'Median days from an application to its hire, to 2 places; null with no hire.' }),
  })
  .openapi('Funnel');

export const TimeInStageJson = z
  .object({
    items: z.array(
      z.object({
        applicationId: z.string(),
        candidate: z.object({ id: z.string(), fullName: z.string().nullable(), email: z.string() }),
        stage: z.string(),
        since: z.string().openapi({ format: 'date-time', description: 'When it entered its stage.' }),
        seconds: Count,
        overSla: z.boolean().openapi({
          description: "Waiting longer than its stage's `slaSeconds` in its pinned pipeline version (default `STAGE_SLA_SECONDS`).",
        }),
      }),
    ),
  })
  .openapi('TimeInStage');
