import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { migrateDown, migrateUp, openOrm } from '../db/orm';
import { createPasswordHasher } from '../auth/passwords';
import { ensureAdmin } from '../accounts/admin';
import { seedSampleData } from '../accounts/seed';
import { runMain } from './run';

const USAGE = `usage: cli <command>
  migrate [up|down]                       apply (or roll back) database migrations
  create-admin <email> <password>         create the first admin (or ADMIN_EMAIL / ADMIN_PASSWORD)
  seed                                    create the sample jobs and demo accounts (idempotent)
  bundle-workflows <file>                 prebuild the workflow bundle for WORKFLOW_BUNDLE_PATH`;

/** Operator commands: migrations, the first admin, sample data. */
runMain('cli', async () => {
  const [command, ...args] = process.argv.slice(2);
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
  const orm = await openOrm(config.database.file);
  const passwords = createPasswordHasher(config.auth.hashConcurrency);
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
        console.log(`admin ${email}: ${await ensureAdmin({ orm, passwords, logger }, email, password)}`);
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
