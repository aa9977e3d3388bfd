import path from 'node:path';
import { freePort } from '../../src/dev/engines';

/** The ports a test's `npm run dev` listens on: each free, so it never meets another run's. */
export interface DevPorts {
  api: number;
  temporal: number;
  ui: number;
  redis: number;
}

export async function freeDevPorts(): Promise<DevPorts> {
  return { api: await freePort(), temporal: await freePort(), ui: await freePort(), redis: await freePort() };
}

/**
 * The environment a test starts `npm run dev` with, as a developer's shell would hold it: its state
 * under `dir` (`var/`), its own ports and task queue, quiet logs; `extra` adds or overrides.
 */
export function devEnv(dir: string, ports: DevPorts, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_OPTIONS: '',
    NODE_ENV: 'development',
    ATS_DEV_VAR_DIR: path.join(dir, 'var'),
    PORT: String(ports.api),
    TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
    TEMPORAL_UI_URL: `http://127.0.0.1:${ports.ui}`,
    REDIS_URL: `redis://127.0.0.1:${ports.redis}/0`,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}
