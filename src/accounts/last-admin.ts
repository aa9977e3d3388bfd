import type { SqlEntityManager } from '@mikro-orm/sql';
import type { User } from '../db/entities/user.entity';
import { dialectOf } from '../db/dialect';
import { ConflictError } from '../domain/errors';

/**
 * The other active admins. On PostgreSQL every active admin's row is locked until the transaction
 * ends, all of them and in one order, so two admins demoting each other at once run one after the
 * other (the second then sees the first's change) instead of both passing, or deadlocking.
 */
async function otherActiveAdmins(em: SqlEntityManager, exceptId: number): Promise<{ id: number }[]> {
  const admins = await em.execute<{ id: number }[]>(
    `select id from users where role = 'admin' and active = true order by id${dialectOf(em).lockRead}`,
    [],
    'all',
  );
  return admins.filter((a) => Number(a.id) !== exceptId);
}

/** Whether the change (a demotion, a deactivation, an erasure) takes an active admin away. */
export function losesAdmin(target: Pick<User, 'role' | 'active'>, change: { role?: string; active?: boolean }): boolean {
  const isActiveAdmin = target.role === 'admin' && target.active;
  return isActiveAdmin && ((change.role !== undefined && change.role !== 'admin') || change.active === false);
}

/**
 * Refuses (409 `last_admin`) a change that would leave no active admin. Call it inside the
 * transaction that makes the change, so two admins removing each other cannot both pass.
 */
export async function assertKeepsAnAdmin(
  em: SqlEntityManager,
  target: Pick<User, 'id' | 'role' | 'active'>,
  change: { role?: string; active?: boolean },
): Promise<void> {
  if (losesAdmin(target, change) && !(await otherActiveAdmins(em, target.id)).length) {
    throw new ConflictError('last_admin', 'This would leave no active admin; make another user an admin first.');
  }
}
