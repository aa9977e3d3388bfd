import { FINAL, STAGES, type Job } from '../api/client';

const RUNNING = STAGES.filter((s) => !FINAL.includes(s));

/** A job's running applications per stage, in pipeline order; nothing for an interviewer, whom the API gives no counts. */
export function StageCounts({ job }: { job: Job }) {
  if (!job.counts) return null;
  const counts = job.counts;
  return (
    <ul class="stage-counts" aria-label={`Running applications of ${job.title}`}>
      {RUNNING.map((stage) => (
        <li key={stage} data-stage={stage}>
          {stage}: <strong>{counts[stage] ?? 0}</strong>
        </li>
      ))}
    </ul>
  );
}
