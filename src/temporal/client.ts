import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';
import { dataConverterFor } from './data-converter';
import { connectionFailure, connectionOptions } from './connection-security';

export async function createTemporalClient(config: Pick<Config, 'temporal' | 'auth'>): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(config.temporal)).catch(async (err: unknown) => {
    throw await connectionFailure(config.temporal, err);
  });
  return new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(config.auth) });
}
