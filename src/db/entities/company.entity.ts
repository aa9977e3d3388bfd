import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * A hiring company; its name is unique without regard to letter case (SQLite's `nocase` column folds ASCII letters,
 * PostgreSQL's `citext` every letter).
 */
export const CompanySchema = defineEntity({
  name: 'Company',
  tableName: 'companies',
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.string(),
    website: p.string().nullable(),
    createdAt: p.string(),
  },
});

export type Company = InferEntity<typeof CompanySchema>;
