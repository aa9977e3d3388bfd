import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
export type Job = components['schemas']['Job'];
export type Application = components['schemas']['Application'];
/** Where an application's interviews stand, for those who judge it. */
export type Evaluation = NonNullable<Application['evaluation']>;
export type Note = components['schemas']['Note'];
export type Interview = components['schemas']['Interview'];
export type Scorecard = components['schemas']['Scorecard'];
export type Recommendation = components['schemas']['Recommendation'];
export type StageChange = components['schemas']['StageChange'];
export type PipelineStage = components['schemas']['PipelineStage'];
export type Pipeline = components['schemas']['Pipeline'];
export type StageKind = components['schemas']['StageKind'];
export type PipelineMigration = components['schemas']['PipelineMigration'];
export type MigrationDryRun = components['schemas']['PipelineMigrationDryRun'];
export type Funnel = components['schemas']['Funnel'];
export type TimeInStage = components['schemas']['TimeInStage'];
export type Stage = components['schemas']['Stage'];
export type User = components['schemas']['User'];
export type AdminUser = components['schemas']['AdminUser'];
export type Company = components['schemas']['Company'];
/** What a member may do on one job (API.md's "Roles"). */
export type TeamRole = components['schemas']['TeamRole'];
export type TeamMember = components['schemas']['TeamMember'];
/** The RFC 9457 problem every 4xx answer carries; `stage_changed` adds the stage that is now current. */
export type Problem = components['schemas']['Problem'] & { current?: Stage };

// Session storage, not local storage: the token dies with the tab and never appears in a URL.
const TOKEN_KEY = 'ats.token';
export const session = {
  get token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set token(value: string | null) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
};

const bearer: Middleware = {
  onRequest({ request }) {
    const token = session.token;
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
};

export const SIGNED_OUT = 'ats:signed-out';

/** A token the API no longer takes (expired, or the account deactivated) ends the session. */
const expiry: Middleware = {
  onResponse({ request, response }) {
    if (response.status === 401 && request.headers.has('Authorization')) {
      session.token = null;
      dispatchEvent(new Event(SIGNED_OUT));
    }
    return response;
  },
};
export const api = createClient<paths>({ baseUrl: location.origin });
api.use(bearer, expiry);

/** A message for a failed call: the problem's detail, or its title, or the status. */
export function describe(error: unknown, response?: Response): string {
  const problem = error as Partial<Problem> | undefined;
  const fields = problem?.errors?.map((e) => `${e.path}: ${e.message}`).join('; ');
  return [problem?.detail ?? problem?.title ?? `Request failed (${response?.status ?? 'network'})`, fields].filter(Boolean).join(' — ');
}

/** Every page of a list (the API answers at most 100 items a page). */
export async function allPages<T>(
  fetchPage: (cursor?: string) => Promise<{ items: T[]; nextCursor: string | null } | undefined>,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    if (!page) break;
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}
