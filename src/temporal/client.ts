import { Client, Connection, type WorkflowClientInterceptor } from '@temporalio/client';
import type { Config } from '../config';
import { dataConverterFor } from './data-converter';
import { connectionFailure, connectionOptions } from './connection-security';

/** With tracing on, every start, update, signal and query carries the caller's span to the workflow in its headers. */
export async function createTemporalClient(config: Pick<Config, 'temporal' | 'auth'> & Partial<Pick<Config, 'tracing'>>): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(config.temporal)).catch(async (err: unknown) => {
    throw await connectionFailure(config.temporal, err);
  });
  return new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: dataConverterFor(config.auth),
    interceptors: config.tracing ? { workflow: [tracingClientInterceptor()] } : undefined,
  });
}

/** Loaded only with tracing on: the interceptor brings OpenTelemetry with it. */
function tracingClientInterceptor(): WorkflowClientInterceptor {
  const { OpenTelemetryWorkflowClientInterceptor } =
    require('@temporalio/interceptors-opentelemetry/lib/client') as typeof import('@temporalio/interceptors-opentelemetry/lib/client');
  return new OpenTelemetryWorkflowClientInterceptor();
}
