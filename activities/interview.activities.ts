import type { InterviewDetails, InterviewNotice } from '../src/domain/interviews';
import { keptAlive } from './kept-alive';

/** What an interview's workflow does outside itself: its row in SQL, and the messages it sends. */
export interface InterviewProjection {
  applicationId: string;
  interview: InterviewDetails;
  revision: number;
  scheduledBy: string;
  createdAt: string;
  /** The interview ended cancelled (by a recruiter, or by the application's end). */
  cancelled: boolean;
}

export interface InterviewActivities {
  /** Writes the interview's row when SQL has none (the API writes it as it answers), and marks it cancelled. Idempotent. */
  projectInterview(projection: InterviewProjection): Promise<void>;
  /** Records the notice's messages in the outbox and queues them; the same notice twice sends nothing twice. */
  sendInterviewNotice(notice: InterviewNotice): Promise<void>;
}

export interface InterviewActivityDeps {
  project(projection: InterviewProjection): Promise<void>;
  send(notice: InterviewNotice): Promise<void>;
}

/** The activities over their dependencies, which src/main wires (SQL, the notification queue). */
export function createInterviewActivities(deps: InterviewActivityDeps): InterviewActivities {
  return {
    projectInterview: (projection) => keptAlive(() => deps.project(projection)),
    sendInterviewNotice: (notice) => keptAlive(() => deps.send(notice)),
  };
}
