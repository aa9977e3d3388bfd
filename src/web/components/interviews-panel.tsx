import { useEffect, useState } from 'preact/hooks';
import { api, describe, type Interview, type TeamMember } from '../api/client';
import { Alert } from './alert';
import { InterviewList } from './interview-list';
import { ScheduleInterview } from './schedule-interview';
import { RescheduleInterview } from './reschedule-interview';

/** An application's interviews by start time; those who run the job also schedule, reschedule and cancel them. */
export function InterviewsPanel({
  applicationId,
  team,
  schedules,
  onChanged,
}: {
  applicationId: string;
  team: TeamMember[];
  schedules: boolean;
  /** After a schedule, a move or a cancellation: the evaluation and the team have changed with it. */
  onChanged?(): void;
}) {
  const [interviews, setInterviews] = useState<Interview[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const [rescheduling, setRescheduling] = useState<string | null>(null);

  const load = async () => {
    const { data, error, response } = await api.GET('/api/applications/{id}/interviews', { params: { path: { id: applicationId } } });
    if (data) setInterviews(data.items);
    else setError(describe(error, response));
  };
  useEffect(() => {
    void load();
  }, [applicationId]);

  const cancel = async (interview: Interview) => {
    const { data, error, response } = await api.POST('/api/interviews/{id}/cancel', { params: { path: { id: interview.id } } });
    await load();
    setError(data ? null : describe(error, response));
    setInfo(data ? `Cancelled ${interview.title}.` : null);
    if (data) onChanged?.();
  };

  return (
    <section aria-labelledby="interviews" class="panel">
      <h2 id="interviews">Interviews</h2>
      <Alert message={error} />
      <Alert message={info} kind="info" />
      {interviews ? (
        <InterviewList
          interviews={interviews}
          actions={(i) =>
            schedules && i.status === 'scheduled' ? (
              <>
                <p class="actions">
                  <button
                    type="button"
                    aria-expanded={rescheduling === i.id}
                    onClick={() => setRescheduling(rescheduling === i.id ? null : i.id)}
                  >
                    Reschedule<span class="visually-hidden"> {i.title}</span>
                  </button>
                  <button type="button" class="danger" onClick={() => void cancel(i)}>
                    Cancel interview<span class="visually-hidden"> {i.title}</span>
                  </button>
                </p>
                {rescheduling === i.id ? (
                  <RescheduleInterview
                    interview={i}
                    onChanged={(changed) => {
                      setRescheduling(null);
                      void load().then(() => setInfo(`Rescheduled ${changed.title}.`));
                      onChanged?.();
                    }}
                  />
                ) : null}
              </>
            ) : null
          }
        />
      ) : null}
      {schedules ? (
        <ScheduleInterview
          applicationId={applicationId}
          team={team}
          onScheduled={(i) => {
            void load().then(() => setInfo(`Scheduled ${i.title}.`));
            onChanged?.();
          }}
        />
      ) : null}
    </section>
  );
}
