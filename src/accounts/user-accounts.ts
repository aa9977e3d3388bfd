import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { UserSchema, type Role, type User } from '../db/entities/user.entity';
import { ConflictError } from '../domain/errors';
import type { PasswordHasher } from '../auth/passwords';

export interface NewAccount {
  email: string;
  password: string;
  role: Role;
  fullName?: string | null;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Creates an account with an argon2id hash. The e-mail is stored lower-cased; a taken e-mail is a
 * 409, also when two sign-ups for it race past the first check (the unique index decides).
 */
export async function createAccount(em: EntityManager, passwords: PasswordHasher, account: NewAccount): Promise<User> {
  const email = normalizeEmail(account.email);
  if (await em.count(UserSchema, { email })) throw emailTaken();
  const now = new Date().toISOString();
  const user = em.create(UserSchema, {
    email,
    passwordHash: await passwords.hash(account.password),
    role: account.role,
    fullName: account.fullName ?? null,
    active: true,
    createdAt: now,
    updatedAt: now,
  });
  try {
    await em.flush();
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) throw emailTaken();
    throw err;
  }
  return user;
}

function emailTaken() {
  return new ConflictError('email_taken', 'An account with this e-mail already exists.');
}
