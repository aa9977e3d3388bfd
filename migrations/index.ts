import { Migration20261124000000_initial } from './Migration20261124000000_initial';
import { Migration20261130000000_companies } from './Migration20261130000000_companies';
import { Migration20261130120000_hiring_teams } from './Migration20261130120000_hiring_teams';
import { Migration20261130180000_candidate_data_keys } from './Migration20261130180000_candidate_data_keys';
import { Migration20261130200000_webhooks } from './Migration20261130200000_webhooks';
import { Migration20261130220000_notification_outbox } from './Migration20261130220000_notification_outbox';
import { Migration20261201000000_transition_intents } from './Migration20261201000000_transition_intents';
import { Migration20261201120000_notification_leases } from './Migration20261201120000_notification_leases';
import { Migration20261202000000_application_claims } from './Migration20261202000000_application_claims';
import { Migration20261207000000_notes } from './Migration20261207000000_notes';
import { Migration20261207120000_structured_hiring } from './Migration20261207120000_structured_hiring';
import { Migration20261207130000_hiring_manager_role } from './Migration20261207130000_hiring_manager_role';
import { Migration20261207140000_pipelines } from './Migration20261207140000_pipelines';
import { Migration20261207150000_reports } from './Migration20261207150000_reports';
import { Migration20261207160000_application_stays } from './Migration20261207160000_application_stays';
import { Migration20261207170000_application_stay_counts } from './Migration20261207170000_application_stay_counts';

/** Every migration, in order. Listed explicitly so the same list serves `dist/` and the tests. */
export const migrationsList = [
  { name: 'Migration20261124000000_initial', class: Migration20261124000000_initial },
  { name: 'Migration20261130000000_companies', class: Migration20261130000000_companies },
  { name: 'Migration20261130120000_hiring_teams', class: Migration20261130120000_hiring_teams },
  { name: 'Migration20261130180000_candidate_data_keys', class: Migration20261130180000_candidate_data_keys },
  { name: 'Migration20261130200000_webhooks', class: Migration20261130200000_webhooks },
  { name: 'Migration20261130220000_notification_outbox', class: Migration20261130220000_notification_outbox },
  { name: 'Migration20261201000000_transition_intents', class: Migration20261201000000_transition_intents },
  { name: 'Migration20261201120000_notification_leases', class: Migration20261201120000_notification_leases },
  { name: 'Migration20261202000000_application_claims', class: Migration20261202000000_application_claims },
  { name: 'Migration20261207000000_notes', class: Migration20261207000000_notes },
  { name: 'Migration20261207120000_structured_hiring', class: Migration20261207120000_structured_hiring },
  { name: 'Migration20261207130000_hiring_manager_role', class: Migration20261207130000_hiring_manager_role },
  { name: 'Migration20261207140000_pipelines', class: Migration20261207140000_pipelines },
  { name: 'Migration20261207150000_reports', class: Migration20261207150000_reports },
  { name: 'Migration20261207160000_application_stays', class: Migration20261207160000_application_stays },
  { name: 'Migration20261207170000_application_stay_counts', class: Migration20261207170000_application_stay_counts },
];
