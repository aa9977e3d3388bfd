import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';
import { dataConverterFor } from './data-converter';

export async function createTemporalClient(config: Pick<Config, 'temporal' | 'auth'>): Promise<Client> {
  const connection = await Connection.connect({ address: config.temporal.address });
  return new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(config.auth) });
}
