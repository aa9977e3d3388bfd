import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { migrateDown, migrateUp, openOrm } from '../db/orm';
import { createPasswordHasher } from '../auth/passwords';
import { AdminRefusedError, ensureAdmin } from '../accounts/admin';
import { seedSampleData } from '../accounts/seed';
import { runMain } from './run';

const USAGE = `usage: cli <command>
  migrate [up|down]                       apply (or roll back) database migrations
  create-admin [--reset-password] <email> <password>
                                          create the first admin (or ADMIN_EMAIL / ADMIN_PASSWORD); an
                                          existing account with that e-mail is refused unless
                                          --reset-password, which sets the password and makes it admin
  seed                                    create the sample jobs and demo accounts (idempotent)
  bundle-workflows <file>                 prebuild the workflow bundle for WORKFLOW_BUNDLE_PATH`;

/** Operator commands: migrations, the first admin, sample data. */
runMain('cli', async () => {
  const [command, ...rest] = process.argv.slice(2);
  const resetPassword = rest.includes('--reset-password');
  const args = rest.filter((a) => a !== '--reset-password');
  // Bundling needs neither configuration nor a database: build images run it.
  if (command === 'bundle-workflows') {
    if (!args[0]) throw new Error(`bundle-workflows needs an output file\n${USAGE}`);
    // Loaded only here: webpack and the worker SDK are heavy for the other commands.
    const { buildWorkflowBundle } = require('../temporal/bundle') as typeof import('../temporal/bundle');
    console.log(`workflow bundle written to ${await buildWorkflowBundle(args[0])}`);
    return;
  }
  if (!['migrate', 'create-admin', 'seed'].includes(command)) {
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
        if (!email || !password || password.length < 8) throw new Error(`create-admin needs an e-mail and a password of at least 8 characters\n${USAGE}`);
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
    }
  } finally {
    await orm.close();
  }
});
