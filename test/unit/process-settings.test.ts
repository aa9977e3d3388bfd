import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { NODE_FLAGS, PROCESS_ENV, type ProcessName } from '../../src/main/process-settings';

/**
 * The processes' Node flags and environment live in src/main/process-settings.ts (which `npm run
 * dev`, the benchmarks and the cluster tests use) and are written out again where code cannot reach:
 * package.json's start scripts, the image and the compose files. These must say the same.
 */
const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const NAMES: ProcessName[] = ['api', 'worker', 'notifier'];
const entry = (name: ProcessName) => `dist/src/main/${name}.js`;

describe('process settings', () => {
  test('npm run start:* runs each entry point with its flags and environment (a variable already set wins)', () => {
    const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
    for (const name of NAMES) {
      const env = Object.entries(PROCESS_ENV)
        .map(([key, value]) => `${key}=\${${key}:-${value}}`)
        .join(' ');
      expect(scripts[`start:${name}`]).toBe(`${env} node ${NODE_FLAGS[name].join(' ')} ${entry(name)}`);
    }
  });

  test('the image sets the flags every process shares and the environment; the API command adds its own', () => {
    const dockerfile = read('Dockerfile');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const env = Object.fromEntries([...runtime.matchAll(/^ENV (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    const shared = NODE_FLAGS.api.filter((flag) => NAMES.every((name) => NODE_FLAGS[name].includes(flag)));
    expect(env.NODE_OPTIONS.split(' ')).toEqual(shared);
    for (const [key, value] of Object.entries(PROCESS_ENV)) expect(env[key]).toBe(value);

    const own = (name: ProcessName) => NODE_FLAGS[name].filter((flag) => !shared.includes(flag));
    expect(JSON.parse(/^CMD (.*)$/m.exec(runtime)![1])).toEqual(['node', ...own('api'), entry('api')]);
    for (const file of ['docker-compose.yml', 'docker-compose.production.yml']) {
      const services = parse(read(file), { merge: true }).services as Record<string, { command: string[] }>;
      for (const name of NAMES)
        expect({ file, name, command: services[name].command }).toEqual({ file, name, command: ['node', ...own(name), entry(name)] });
    }
  });

  test('every process runs with a small young generation', () => {
    for (const name of NAMES) expect(NODE_FLAGS[name]).toContain('--max-semi-space-size=4');
  });
});
