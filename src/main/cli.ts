import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { migrateDown, migrateUp, openOrm } from '../db/orm';
import { createPasswordHasher } from '../auth/passwords';
import { AdminRefusedError, ensureAdmin } from '../accounts/admin';
import { seedSampleData } from '../accounts/seed';
import { createTemporalClient } from '../temporal/client';
import { reconcileApplications } from '../applications/reconcile';
import { runMain } from './run';

const USAGE = `usage: cli <command>
  migrate [up|down]                       apply (or roll back) database migrations
  create-admin [--reset-password] <email> <password>
                                          create the first admin (or ADMIN_EMAIL / ADMIN_PASSWORD); an
                                          existing account with that e-mail is refused unless
                                          --reset-password, which sets the password and makes it admin
  seed                                    create the sample jobs and demo accounts (idempotent)
  bundle-workflows <file>                 prebuild the workflow bundle for WORKFLOW_BUNDLE_PATH (and
                                          beside it <name>.tracing.js, used when tracing is on)
  reconcile [--dry-run]                   compare the projection with every application workflow and
                                          rewrite what differs from the workflow (--dry-run: only
                                          print the differences); workflows that no application of
                                          this database claims (an earlier database's) are listed
                                          as <id> unclaimed and left unchanged`;

/** Operator commands: migrations, the first admin, sample data, reconciling the projection. */
runMain('cli', async () => {
  const [command, ...rest] = process.argv.slice(2);
  const resetPassword = rest.includes('--reset-password');
  const dryRun = rest.includes('--dry-run');
  const args = rest.filter((a) => a !== '--reset-password' && a !== '--dry-run');
  // Bundling needs neither configuration nor a database: build images run it.
  if (command === 'bundle-workflows') {
    if (!args[0]) throw new Error(`bundle-workflows needs an output file\n${USAGE}`);
    // Loaded only here: webpack and the worker SDK are heavy for the other commands.
    const { buildWorkflowBundles } = require('../temporal/bundle') as typeof import('../temporal/bundle');
    console.log(`workflow bundles written to ${(await buildWorkflowBundles(args[0])).join(', ')}`);
    return;
  }
  if (!['migrate', 'create-admin', 'seed', 'reconcile'].includes(command)) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'cli');
  const orm = await openOrm(config.database);
  const passwords = createPasswordHasher({ concurrency: config.auth.hashConcurrency, maxWaiting: config.auth.hashQueueMax });
  try {
    switch (command) {
      case 'migrate': {
        const done = args[0] === 'down' ? await migrateDown(orm) : await migrateUp(orm);
        console.log(done.length ? `migrated ${args[0] ?? 'up'}: ${done.join(', ')}` : 'database is up to date');
        break;
      }
      case 'create-admin': {
        const email = args[0] ?? config.admin?.email;
        const password = args[1] ?? config.admin?.password;
        if (!email || !password || password.length < 8)
          throw new Error(`create-admin needs an e-mail and a password of at least 8 characters\n${USAGE}`);
        await migrateUp(orm);
        try {
          console.log(`admin ${email}: ${await ensureAdmin({ orm, passwords, logger }, email, password, { resetPassword })}`);
        } catch (err) {
          if (!(err instanceof AdminRefusedError)) throw err;
          console.error(err.message);
          process.exitCode = 1;
        }
        break;
      }
      case 'seed': {
        await migrateUp(orm);
        const seeded = await seedSampleData({ orm, passwords, logger });
        console.log(`sample jobs: ${seeded.jobs} created`);
        console.log(`demo recruiter: ${seeded.recruiter.email} / ${seeded.recruiter.password}`);
        console.log(`demo candidate: ${seeded.candidate.email} / ${seeded.candidate.password}`);
        break;
      }
      case 'reconcile': {
        const temporal = await createTemporalClient(config);
        try {
          const report = await reconcileApplications(
            { orm, temporal, taskQueue: config.temporal.taskQueue, payloadKeys: config.auth.payloadKeys },
            {
              dryRun,
              onDifference: (d) => console.log(`${d.applicationId}\t${d.kind}\t${d.detail}`),
              onUnclaimed: (id) => console.log(`${id}\tunclaimed`),
            },
          );
          for (const u of report.unreadable) console.error(`${u.applicationId}\tunreadable\t${u.error}`);
          console.log(
            `${report.checked} applications checked, ${report.differences.length} differences${dryRun ? ' (dry run: nothing written)' : `, ${report.repaired} applications repaired`}${report.unreadable.length ? `, ${report.unreadable.length} could not be queried` : ''}${report.unclaimed.length ? `, ${report.unclaimed.length} workflows no application here claims (left unchanged)` : ''}`,
          );
          if (report.unreadable.length) process.exitCode = 1;
        } finally {
          await temporal.connection.close();
        }
        break;
      }
    }
  } finally {
    await orm.close();
  }
});
