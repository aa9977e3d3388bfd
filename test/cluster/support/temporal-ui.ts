import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { freePort, portAnswers } from '../../../src/dev/engines';

/** Temporal's Web UI server (github.com/temporalio/ui-server), on its own, pointed at the full server's frontend. */
export interface TemporalUi {
  url: string;
  stop(): Promise<void>;
}

export async function startTemporalUi(frontendAddress: string, dir: string): Promise<TemporalUi> {
  const binary = process.env.TEMPORAL_UI_SERVER;
  if (!binary) throw new Error('TEMPORAL_UI_SERVER is not set: run the cluster suite with npm run test:cluster');
  const port = await freePort();
  fs.mkdirSync(path.join(dir, 'config'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'config', 'cluster.yaml'),
    YAML.stringify({
      temporalGrpcAddress: frontendAddress,
      port,
      enableUi: true,
      defaultNamespace: 'default',
      auth: { enabled: false },
    }),
  );
  const logFile = path.join(dir, 'ui-server.log');
  const log = fs.openSync(logFile, 'a');
  const child: ChildProcess = spawn(binary, ['--root', dir, '--config', 'config', '--env', 'cluster', 'start'], {
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  const deadline = Date.now() + 30_000;
  while (!(await portAnswers(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the Temporal UI server did not start; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
