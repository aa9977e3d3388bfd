import type { Application } from '../api/client';

/** How a page names an application's candidate: their name, else their address, else their id. */
export function candidateName(app: Application): string {
  return app.candidate?.fullName ?? app.candidate?.email ?? `Candidate ${app.candidateId}`;
}
