import { FINAL, type Application } from '../api/client';

/**
 * How long an application may wait in a stage: the server's `STAGE_SLA_SECONDS` default
 * (docs/configuration.md), which the API does not publish; a stage's own `slaSeconds` wins once
 * pipelines carry one.
 */
export const DEFAULT_STAGE_SLA_SECONDS = 3 * 24 * 3600;

/** When the application entered its current stage: its history's last entry. */
export const enteredAt = (app: Application): number => Date.parse(app.history.at(-1)?.at ?? app.createdAt);

/** Running applications that have waited in their stage longer than the SLA, longest waiting first. */
export function overSla(apps: Application[], now = Date.now(), slaSeconds = DEFAULT_STAGE_SLA_SECONDS): Application[] {
  return apps.filter((a) => !FINAL.includes(a.stage) && now - enteredAt(a) > slaSeconds * 1000).sort((a, b) => enteredAt(a) - enteredAt(b));
}

/** A wait in whole days (at least one), for a reader. */
export const waited = (app: Application, now = Date.now()): string => {
  const days = Math.max(1, Math.floor((now - enteredAt(app)) / 86_400_000));
  return `${days} day${days === 1 ? '' : 's'}`;
};
