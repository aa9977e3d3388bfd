import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const ROLES = ['candidate', 'recruiter', 'hiring_manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];
/** Everyone but candidates: people who may be on hiring teams (admins act on every job without one). */
export const STAFF_ROLES = ['recruiter', 'hiring_manager', 'admin'] as const satisfies readonly Role[];

export const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.integer().primary().autoincrement(),
    /** Stored lower-cased, so uniqueness and log-in are case-insensitive. */
    email: p.string().unique(),
    passwordHash: p.string().hidden().lazy(),
    role: p.string().$type<Role>(),
    fullName: p.string().nullable(),
    active: p.boolean().default(true),
    createdAt: p.string(),
    updatedAt: p.string(),
  },
});

export type User = InferEntity<typeof UserSchema>;
