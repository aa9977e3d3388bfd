import type { Job } from '../api/client';

/** A job's running applications per stage, in the order the API lists its stages; nothing for an interviewer, whom the API gives no counts. */
export function StageCounts({ job }: { job: Job }) {
  if (!job.counts) return null;
  return (
    <ul class="stage-counts" aria-label={`Running applications of ${job.title}`}>
      {Object.entries(job.counts).map(([stage, count]) => (
        <li key={stage} data-stage={stage}>
          {stage}: <strong>{count}</strong>
        </li>
      ))}
    </ul>
  );
}
