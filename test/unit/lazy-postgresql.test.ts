import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const orm = path.join(ROOT, 'dist/src/db/orm.js');

/**
 * A SQLite deployment never loads the PostgreSQL driver (about 4 MB per process); a PostgreSQL
 * configuration does. Run in a fresh Node process on the built code, as the processes run it.
 */
describe('the PostgreSQL driver is loaded only for PostgreSQL', () => {
  beforeAll(() => {
    if (!fs.existsSync(orm)) throw new Error('dist/ is missing: run the build (npm test does)');
  });

  test('opening a SQLite file leaves it out; a PostgreSQL configuration brings it in', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ats-lazy-pg-')), 'probe.db');
    const script = `
      const loaded = () => Object.keys(require.cache).some((k) => /@mikro-orm[\\\\/]postgresql|[\\\\/]node_modules[\\\\/]pg[\\\\/]/.test(k));
      const { openOrm, ormConfig } = require(${JSON.stringify(orm)});
      openOrm(${JSON.stringify(file)}).then(async (o) => {
        await o.em.getConnection().execute('select 1');
        const sqlite = loaded();
        await o.close();
        ormConfig({ dialect: 'postgresql', url: 'postgresql://ats@127.0.0.1:1/ats' });
        console.log(JSON.stringify({ sqlite, postgresql: loaded() }));
      });
    `;
    const run = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
      timeout: 30_000,
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toEqual({ sqlite: false, postgresql: true });
  });
});
