import { UserSchema } from '../db/entities/user.entity';
import type { Services } from '../services';

/** Creates the first admin, or promotes and re-activates an existing account; safe to run at every start. */
export async function ensureAdmin(services: Pick<Services, 'orm' | 'passwords' | 'logger'>, email: string, password: string): Promise<'created' | 'updated' | 'unchanged'> {
  const em = services.orm.em.fork();
  const normalized = email.trim().toLowerCase();
  const existing = await em.findOne(UserSchema, { email: normalized });
  const now = new Date().toISOString();
  if (!existing) {
    em.create(UserSchema, { email: normalized, passwordHash: await services.passwords.hash(password), role: 'admin', fullName: 'Administrator', active: true, createdAt: now, updatedAt: now });
    await em.flush();
    services.logger.info({ email: normalized }, 'admin created');
    return 'created';
  }
  if (existing.role === 'admin' && existing.active) return 'unchanged';
  existing.role = 'admin';
  existing.active = true;
  existing.updatedAt = now;
  await em.flush();
  services.logger.info({ email: normalized }, 'existing account made admin');
  return 'updated';
}
