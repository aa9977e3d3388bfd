import type { ComponentChildren } from 'preact';
import type { Interview } from '../api/client';

const STATUS: Record<Interview['status'], string> = {
  scheduled: 'scheduled',
  awaiting_feedback: 'awaiting feedback',
  complete: 'complete',
  cancelled: 'cancelled',
};

/** Whether the user's scorecard for this interview is in, as the interview lists its interviewers. */
export const submittedBy = (interview: Interview, userId: string | undefined): boolean =>
  (interview.interviewers ?? []).some((p) => p.id === userId && p.scorecardSubmitted);

/** When an interview is, in the reader's time zone. */
export function When({ interview }: { interview: Interview }) {
  const start = new Date(interview.startsAt);
  const end = new Date(interview.endsAt);
  return (
    <>
      <time dateTime={interview.startsAt}>{start.toLocaleString()}</time>–
      <time dateTime={interview.endsAt}>{end.toLocaleTimeString()}</time>
    </>
  );
}

/**
 * Interviews with their time, place, status and, for staff, who sits in (a mark for each scorecard
 * in); `actions` adds per-interview buttons.
 */
export function InterviewList({ interviews, actions }: { interviews: Interview[]; actions?: (i: Interview) => ComponentChildren }) {
  if (interviews.length === 0) return <p>No interviews yet.</p>;
  return (
    <ul class="interviews">
      {interviews.map((i) => (
        <li key={i.id} class="card" data-interview={i.id}>
          <h3>{i.title}</h3>
          <p class="meta">
            <When interview={i} />
            {i.location ? ` · ${i.location}` : ''} ·{' '}
            <strong class={`status status-${i.status}`} data-testid="interview-status">
              {STATUS[i.status]}
            </strong>
          </p>
          {i.interviewers ? (
            <p>
              With {i.interviewers.map((p) => `${p.fullName ?? `user ${p.id}`}${p.scorecardSubmitted ? ' (scorecard in)' : ''}`).join(', ')}
            </p>
          ) : null}
          {actions?.(i)}
        </li>
      ))}
    </ul>
  );
}
