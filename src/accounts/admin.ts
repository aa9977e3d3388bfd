import { UserSchema } from '../db/entities/user.entity';
import type { Services } from '../services';
import { createAccount, normalizeEmail } from './user-accounts';

/** Creates the first admin, or promotes and re-activates an existing account; safe to run at every start. */
export async function ensureAdmin(services: Pick<Services, 'orm' | 'passwords' | 'logger'>, email: string, password: string): Promise<'created' | 'updated' | 'unchanged'> {
  const em = services.orm.em.fork();
  const existing = await em.findOne(UserSchema, { email: normalizeEmail(email) });
  if (!existing) {
    const admin = await createAccount(em, services.passwords, { email, password, role: 'admin', fullName: 'Administrator' });
    services.logger.info({ email: admin.email }, 'admin created');
    return 'created';
  }
  if (existing.role === 'admin' && existing.active) return 'unchanged';
  existing.role = 'admin';
  existing.active = true;
  existing.updatedAt = new Date().toISOString();
  await em.flush();
  services.logger.info({ email: existing.email }, 'existing account made admin');
  return 'updated';
}
