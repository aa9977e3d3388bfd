import { Migration20261124000000_initial } from './Migration20261124000000_initial';
import { Migration20261130000000_companies } from './Migration20261130000000_companies';

/** Every migration, in order. Listed explicitly so the same list serves `dist/` and the tests. */
export const migrationsList = [
  { name: 'Migration20261124000000_initial', class: Migration20261124000000_initial },
  { name: 'Migration20261130000000_companies', class: Migration20261130000000_companies },
];
