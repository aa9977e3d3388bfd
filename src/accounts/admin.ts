import { UserSchema } from '../db/entities/user.entity';
import type { Services } from '../services';
import { createAccount, normalizeEmail } from './user-accounts';

export type AdminOutcome = 'created' | 'unchanged' | 'reset';

/** The e-mail belongs to an account this run may not take over without `--reset-password`. */
export class AdminRefusedError extends Error {
  constructor(email: string, reason: string) {
    super(
      `admin ${email}: refused: ${reason}. Nothing was changed. If the account is yours to take over, ` +
        'run `cli create-admin --reset-password <email> <password>`: it sets this password and makes the account an active admin.',
    );
    this.name = 'AdminRefusedError';
  }
}

/**
 * Creates the first admin; safe to run at every start. An account that already has the e-mail is
 * never promoted as it is: anyone may have signed up with that address beforehand, and promoting
 * would hand admin rights to whoever knows its password. Only `resetPassword` takes it over,
 * replacing the password with the operator's.
 */
export async function ensureAdmin(
  services: Pick<Services, 'orm' | 'passwords' | 'logger'>,
  email: string,
  password: string,
  options: { resetPassword?: boolean } = {},
): Promise<AdminOutcome> {
  const em = services.orm.em.fork();
  const existing = await em.findOne(UserSchema, { email: normalizeEmail(email) }, { populate: ['passwordHash'] });
  if (!existing) {
    const admin = await createAccount(em, services.passwords, { email, password, role: 'admin', fullName: 'Administrator' });
    services.logger.info({ email: admin.email }, 'admin created');
    return 'created';
  }
  if (options.resetPassword) {
    existing.passwordHash = await services.passwords.hash(password);
    existing.role = 'admin';
    existing.active = true;
    existing.updatedAt = new Date().toISOString();
    await em.flush();
    services.logger.warn({ email: existing.email }, 'account taken over as admin with a new password');
    return 'reset';
  }
  if (existing.role !== 'admin' || !existing.active) {
    throw new AdminRefusedError(
      existing.email,
      `an existing ${existing.active ? '' : 'deactivated '}${existing.role} account has this e-mail`,
    );
  }
  if (!(await services.passwords.verify(existing.passwordHash, password))) {
    throw new AdminRefusedError(existing.email, 'this admin exists with another password');
  }
  return 'unchanged';
}
