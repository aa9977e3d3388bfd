import type { MikroORM } from '@mikro-orm/sqlite';
import { projectApplication, type ProjectApplicationInput } from '../src/applications/application-projection';

export type { ApplicationFacts, ProjectApplicationInput } from '../src/applications/application-projection';

/**
 * Keeps the SQL projection of an application in step with its workflow, through the one idempotent,
 * versioned write in src/applications/application-projection.ts.
 */
export interface ProjectionActivities {
  projectApplication(input: ProjectApplicationInput): Promise<void>;
}

export interface ProjectionDeps { orm: MikroORM }

export function createProjectionActivities({ orm }: ProjectionDeps): ProjectionActivities {
  return {
    async projectApplication(input) {
      await projectApplication(orm, input);
    },
  };
}
