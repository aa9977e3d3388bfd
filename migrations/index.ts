import { Migration20261124000000_initial } from './Migration20261124000000_initial';

/** Every migration, in order. Listed explicitly so the same list serves `dist/` and the tests. */
export const migrationsList = [{ name: 'Migration20261124000000_initial', class: Migration20261124000000_initial }];
