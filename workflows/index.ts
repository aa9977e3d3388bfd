/** The workflow bundle's entry: every function exported here is a workflow type the worker serves. */
export { applicationWorkflow } from './application.workflow';
export { retentionWorkflow } from './retention.workflow';
export { interviewWorkflow } from './interview.workflow';
export { pipelineMigrationWorkflow } from './pipeline-migration.workflow';
