import type { MikroORM } from '@mikro-orm/sql';
import type { QueryResult } from '@mikro-orm/core';
import type { Logger } from '../src/logger';
import { FINAL_STAGES } from '../src/domain/stages';

/**
 * Retention: an application final (hired or rejected) for longer than RETENTION_DAYS loses its cover
 * letter and résumé URL in SQL, and a candidate all of whose applications are such loses their data
 * key, which makes those fields unreadable in Temporal's histories too. The account stays: it is
 * the person's, who may apply again; erasing it is theirs to ask (`POST /api/users/{id}/erase`).
 *
 * The period comes from the worker's configuration, never from the workflow's input: whoever could
 * start the retention workflow can only make it run early.
 */
export interface RetentionActivities {
  eraseExpiredApplications(): Promise<{ applications: number; keys: number }>;
}

export interface RetentionDeps {
  orm: MikroORM;
  logger: Logger;
  retentionDays?: number;
  now?: () => Date;
}

const DAY_MS = 24 * 3600 * 1000;

export function createRetentionActivities({ orm, logger, retentionDays, now = () => new Date() }: RetentionDeps): RetentionActivities {
  return {
    async eraseExpiredApplications() {
      if (!retentionDays) return { applications: 0, keys: 0 };
      const cutoff = new Date(now().getTime() - retentionDays * DAY_MS).toISOString();
      const finals = FINAL_STAGES.map(() => '?').join(', ');
      const em = orm.em.fork();
      const result = await em.transactional(async (tx) => {
        const cleared = await tx.execute<QueryResult>(
          `update applications set cover_letter = null, resume_url = null
          where stage in (${finals}) and updated_at < ? and (cover_letter is not null or resume_url is not null)`,
          [...FINAL_STAGES, cutoff],
          'run',
        );
        const keys = await tx.execute<QueryResult>(
          `delete from candidate_data_keys where user_id in (
            select candidate_id from applications where stage in (${finals}) and updated_at < ?)
          and user_id not in (select candidate_id from applications where stage not in (${finals}) or updated_at >= ?)`,
          [...FINAL_STAGES, cutoff, ...FINAL_STAGES, cutoff],
          'run',
        );
        // The webhook delivery log copies applications: it is kept no longer than they are.
        await tx.execute('delete from webhook_deliveries where created_at < ?', [cutoff], 'run');
        await tx.execute('delete from notification_outbox where created_at < ?', [cutoff], 'run');
        return { applications: cleared.affectedRows, keys: keys.affectedRows };
      });
      logger.info({ ...result, retentionDays, cutoff }, 'retention: personal data of long-final applications erased');
      return result;
    },
  };
}
