import { workflowUrl } from '../domain/ids';
import type { Stage } from '../domain/stages';
import type { ApplicationAnswer } from '../../workflows/messages';
import type { ApplicationContent, ApplicationRecord, CandidateRecord } from './application-repository';
import type { Evaluation } from './interviews';

/**
 * The `application` JSON of the API. Built from the SQL projection for reads and from the workflow's
 * answer for writes; both carry the same values (the projection copies the workflow's timestamps),
 * so a write's response and a following read agree.
 */
export interface HistoryView {
  from: Stage | null;
  to: Stage;
  at: string;
  by: string | null;
  reason: string | null;
  /** Only on the entry a pipeline migration made. */
  migration?: { id: string; fromVersion: number; toVersion: number };
}

/** An entry's `migration`, present only when it has one (so other entries keep their exact shape). */
function migrationOf(e: {
  migrationId?: string | null;
  fromVersion?: number | null;
  toVersion?: number | null;
  migration?: HistoryView['migration'];
}) {
  if (e.migration) return { migration: e.migration };
  return e.migrationId ? { migration: { id: e.migrationId, fromVersion: Number(e.fromVersion), toVersion: Number(e.toVersion) } } : {};
}

/** The application as the API's JSON shows it, from a record (reads) or an outcome (writes). */
export interface ApplicationView {
  id: string;
  jobId: string;
  candidateId: string;
  stage: Stage;
  pipelineVersion: number;
  history: HistoryView[];
  workflowId: string;
  workflowUrl: string;
  coverLetter: string | null;
  resumeUrl: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * The application as the API answers its readers (the candidate, admins, the job's team): with the
 * candidate's name and e-mail and each actor's name. Webhooks keep the plain view.
 */
export interface ApplicationReadView extends Omit<ApplicationView, 'history'> {
  candidate: CandidateRecord | null;
  history: (HistoryView & { byName: string | null })[];
}

/** What readers get: the read view with the evaluation the reader may see (application-evaluation.ts). */
export type EvaluatedView = ApplicationReadView & { evaluation: Evaluation | null };

/** Where the Web UI lives, for the workflow link. */
export interface UiLink {
  uiUrl: string;
  namespace: string;
}

export function viewFromRecord(r: ApplicationRecord, ui: UiLink): ApplicationView {
  return {
    id: r.id,
    jobId: String(r.jobId),
    candidateId: String(r.candidateId),
    stage: r.stage,
    pipelineVersion: r.pipelineVersion,
    history: r.history.map((e) => ({ from: e.from, to: e.to, at: e.at, by: e.by, reason: e.reason, ...migrationOf(e) })),
    workflowId: r.id,
    workflowUrl: workflowUrl(ui.uiUrl, ui.namespace, r.id),
    coverLetter: r.coverLetter,
    resumeUrl: r.resumeUrl,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** A write's answer: the workflow's answer, with the content the API took from the request or SQL. */
export function viewFromState(s: ApplicationAnswer & ApplicationContent, ui: UiLink): ApplicationView {
  return {
    id: s.applicationId,
    jobId: s.jobId,
    candidateId: s.candidateId,
    stage: s.stage,
    pipelineVersion: s.pipelineVersion ?? 1,
    history: s.history.map((e) => ({ from: e.from, to: e.to, at: e.at, by: e.by, reason: e.reason, ...migrationOf(e) })),
    workflowId: s.applicationId,
    workflowUrl: workflowUrl(ui.uiUrl, ui.namespace, s.applicationId),
    coverLetter: s.coverLetter,
    resumeUrl: s.resumeUrl,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

/** A read's answer, names from the joined users rows. */
export function readViewFromRecord(r: ApplicationRecord, ui: UiLink): ApplicationReadView {
  return {
    ...viewFromRecord(r, ui),
    candidate: r.candidate,
    history: r.history.map((e) => ({
      from: e.from,
      to: e.to,
      at: e.at,
      by: e.by,
      byName: e.byName,
      reason: e.reason,
      ...migrationOf(e),
    })),
  };
}

/** A write's answer with names: `people` holds the users rows of the candidate and the actors. */
export function withPeople(
  view: ApplicationView,
  people: ReadonlyMap<string, { fullName: string | null; email: string }>,
): ApplicationReadView {
  const candidate = people.get(view.candidateId);
  return {
    ...view,
    candidate: candidate ? { id: view.candidateId, fullName: candidate.fullName, email: candidate.email } : null,
    history: view.history.map((h) => ({ ...h, byName: (h.by !== null && people.get(h.by)?.fullName) || null })),
  };
}
