// The layering `npm run lint:layers` enforces (`depcruise src activities workflows` reads this file).
const IO_PACKAGES =
  'node_modules/(@mikro-orm|kysely|better-sqlite3|ioredis|bullmq|koa|koa-[^/]+|@koa|@bull-board|nodemailer|pino|argon2|jsonwebtoken)/';

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
      name: 'ground-stays-ground',
      severity: 'error',
      comment: 'The ground floor (domain, configuration, crypto, logger) imports only libraries and itself: everything else builds on it.',
      from: { path: '^(src/(domain|config|crypto)/|src/logger\\.ts$)' },
      to: { path: '^(src/|activities/|workflows/)', pathNot: '^(src/(domain|config|crypto)/|src/logger\\.ts$)' },
    },
    {
      name: 'workflows-import-the-ground',
      severity: 'error',
      comment: 'Workflows import the domain, activity types and the search attribute keys, nothing else of ours.',
      from: { path: '^workflows/' },
      to: { path: '^src/', pathNot: '^(src/domain/|src/temporal/search-attributes\\.ts$)' },
    },
    {
      name: 'adapters-import-no-feature',
      severity: 'error',
      comment: 'Adapters (database, Redis, Temporal, mail sending, metrics) know no feature, no use case and no wiring.',
      from: { path: '^(src/(db|temporal|mail)/|src/(redis|metrics)\\.ts$)' },
      to: {
        path: '^(src/|activities/|workflows/)',
        pathNot: '^(src/(domain|config|crypto|db|temporal|mail)/|src/(logger|redis|metrics)\\.ts$)',
      },
    },
    {
      name: 'features-import-no-wiring',
      severity: 'error',
      comment: 'Features, use cases and activities are wired by src/main; they never import it, the dev runner or the API.',
      from: { path: '^(src/(auth|accounts|companies|jobs|notifications|webhooks|applications|privacy)/|src/services\\.ts$|activities/)' },
      to: { path: '^src/(http|main|dev)/' },
    },
    {
      name: 'applications-above-other-features',
      severity: 'error',
      comment:
        'Applications build on accounts, companies, jobs, notifications and webhooks; those never reach back up, and none of them reaches the privacy use cases above.',
      from: { path: '^src/(auth|accounts|companies|jobs|notifications|webhooks)/' },
      to: { path: '^src/(applications|privacy)/' },
    },
    {
      name: 'privacy-above-applications',
      severity: 'error',
      comment: 'Export, erasure and the codec service are use cases over applications: applications never import them.',
      from: { path: '^src/applications/' },
      to: { path: '^src/privacy/' },
    },
    {
      name: 'main-is-the-top',
      severity: 'error',
      comment: 'src/main holds the entry points and all wiring: only it and the dev runner import from it.',
      from: { pathNot: '^src/(main|dev)/' },
      to: { path: '^src/main/' },
    },
    {
      name: 'only-main-wires',
      severity: 'error',
      comment:
        "Only src/main builds activities, the Temporal worker, the notifier's workers and the connections (types may be imported anywhere).",
      from: { pathNot: '^(src/main|activities)/' },
      to: {
        path: '^(activities/|src/temporal/(worker-runtime|client)\\.ts$|src/notifications/notification-worker\\.ts$|src/webhooks/webhook-worker\\.ts$|src/redis\\.ts$|src/mail/mailer\\.ts$)',
        dependencyTypesNot: ['type-only'],
      },
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
