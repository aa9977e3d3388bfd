import { useEffect, useState } from 'preact/hooks';
import { api, type Application, type PipelineStage } from '../api/client';

/**
 * The stages of the pipeline version an application is pinned to: its moves follow that version, not
 * the job's current one. Null while it loads.
 */
export function usePinnedStages(app: Application | null): PipelineStage[] | null {
  const [stages, setStages] = useState<PipelineStage[] | null>(null);
  const jobId = app?.jobId;
  const version = app?.pipelineVersion;
  useEffect(() => {
    if (!jobId || !version) return;
    let live = true;
    void api
      .GET('/api/jobs/{id}/pipeline', { params: { path: { id: jobId }, query: { version } } })
      .then(({ data }) => live && setStages(data?.stages ?? null));
    return () => {
      live = false;
    };
  }, [jobId, version]);
  return stages;
}

/** Final in that version: its last stage (whatever its id) and `rejected`. */
export function isFinal(stages: PipelineStage[], stage: string): boolean {
  return stage === 'rejected' || stages[stages.length - 1]?.id === stage;
}
