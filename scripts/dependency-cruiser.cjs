// The layering `npm run lint` enforces: run `depcruise --config scripts/dependency-cruiser.cjs src activities workflows`.
const IO_PACKAGES = 'node_modules/(@mikro-orm|kysely|better-sqlite3|ioredis|bullmq|koa|koa-[^/]+|@koa|@bull-board|nodemailer|pino|argon2|jsonwebtoken)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle ties modules together that should be layered; move the shared part down.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'pure-core-no-node',
      severity: 'error',
      comment: 'Workflow and domain code stays deterministic: no Node built-ins.',
      from: { path: '^(workflows|src/domain)/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'pure-core-no-io',
      severity: 'error',
      comment: 'Workflow and domain code never touches the database, Redis, HTTP or other I/O.',
      from: { path: '^(workflows|src/domain)/' },
      to: { path: [IO_PACKAGES, '^src/(http|db|notifications|mail|main)/', '^src/(services|config|logger)\\.ts$', '^src/config/'] },
    },
    {
      name: 'workflows-see-activities-as-types',
      severity: 'error',
      comment: 'Workflows call activities through proxies: their code (and its I/O) never enters the workflow sandbox.',
      from: { path: '^workflows/' },
      to: { path: '^activities/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'http-is-the-top',
      severity: 'error',
      comment: 'Only the HTTP layer itself and the entry points that start it import from src/http.',
      from: { pathNot: '^src/(http|main)/' },
      to: { path: '^src/http/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve hides a dependency from these rules.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|\\.tools|var|src/web)/' },
  },
};
