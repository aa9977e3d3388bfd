import { Redis } from 'ioredis';

/**
 * A Redis connection. BullMQ workers need blocking commands to wait forever; request-path clients
 * should fail fast. On its own so that the notifier and worker load ioredis alone, not the API's services.
 */
export function createRedis(url: string, options: { forWorker?: boolean } = {}): Redis {
  return new Redis(url, options.forWorker ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 1, connectTimeout: 2000 });
}
