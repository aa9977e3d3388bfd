import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';

/**
 * How the processes reach Temporal beyond the dev server: Temporal Cloud with an API key (over TLS),
 * or a self-hosted cluster with TLS and, for mTLS, a client certificate. Certificates are read when
 * the configuration loads, so a wrong path stops the process at start with a message naming it.
 */
export interface TemporalSecurity {
  apiKey?: string;
  /** Present when the connection uses TLS. */
  tls?: { serverRootCACertificate?: Buffer; clientCertPair?: { crt: Buffer; key: Buffer }; serverNameOverride?: string };
}

export interface TemporalSecurityEnv {
  TEMPORAL_API_KEY?: string;
  TEMPORAL_TLS?: boolean;
  TEMPORAL_TLS_CERT?: string;
  TEMPORAL_TLS_KEY?: string;
  TEMPORAL_TLS_CA?: string;
  TEMPORAL_TLS_SERVER_NAME?: string;
}

export function readTemporalSecurity(env: TemporalSecurityEnv, problems: string[]): TemporalSecurity {
  const read = (name: keyof TemporalSecurityEnv): Buffer | undefined => {
    const file = env[name];
    if (typeof file !== 'string') return undefined;
    try {
      return fs.readFileSync(file);
    } catch (err) {
      problems.push(`${name}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      return undefined;
    }
  };
  if ((env.TEMPORAL_TLS_CERT === undefined) !== (env.TEMPORAL_TLS_KEY === undefined)) {
    problems.push('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: mTLS needs both the client certificate and its private key');
  }
  const crt = read('TEMPORAL_TLS_CERT');
  const key = read('TEMPORAL_TLS_KEY');
  const ca = read('TEMPORAL_TLS_CA');
  if (env.TEMPORAL_TLS === false && (env.TEMPORAL_API_KEY || env.TEMPORAL_TLS_CERT || env.TEMPORAL_TLS_CA)) {
    problems.push('TEMPORAL_TLS: cannot be false with TEMPORAL_API_KEY, TEMPORAL_TLS_CERT or TEMPORAL_TLS_CA (they need TLS)');
  }
  // An API key travels as a bearer token: never over plain text.
  const useTls = env.TEMPORAL_TLS ?? Boolean(env.TEMPORAL_API_KEY || env.TEMPORAL_TLS_CERT || env.TEMPORAL_TLS_CA || env.TEMPORAL_TLS_SERVER_NAME);
  return {
    apiKey: env.TEMPORAL_API_KEY,
    tls: useTls ? {
      ...(ca && { serverRootCACertificate: ca }),
      ...(crt && key && { clientCertPair: { crt, key } }),
      ...(env.TEMPORAL_TLS_SERVER_NAME && { serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME }),
    } : undefined,
  };
}

/** The options both the client's and the worker's connection take. */
export function connectionOptions(temporal: { address: string; security: TemporalSecurity }): { address: string; tls?: TemporalSecurity['tls']; apiKey?: string } {
  const { apiKey, tls } = temporal.security;
  return { address: temporal.address, ...(tls && { tls }), ...(apiKey && { apiKey }) };
}

/**
 * A failed connection names where it went and how. The gRPC client only reports a missed deadline,
 * so with TLS a handshake of our own finds the reason (an unknown CA, a refused client certificate).
 */
export async function connectionFailure(temporal: { address: string; security: TemporalSecurity }, err: unknown): Promise<Error> {
  const { tls: options } = temporal.security;
  const how = options ? `over TLS${options.clientCertPair ? ' with a client certificate' : ''}` : 'without TLS';
  const reason = options ? await tlsHandshakeProblem(temporal.address, options) : undefined;
  return new Error(`cannot connect to Temporal at ${temporal.address} ${how}: ${reason ? `TLS handshake failed: ${reason}` : (err as Error).message}`, { cause: err });
}

function tlsHandshakeProblem(address: string, options: NonNullable<TemporalSecurity['tls']>): Promise<string | undefined> {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = tls.connect({
      host,
      port: Number(address.slice(at + 1)),
      servername: options.serverNameOverride ?? (net.isIP(host) ? undefined : host),
      ca: options.serverRootCACertificate,
      cert: options.clientCertPair?.crt,
      key: options.clientCertPair?.key,
      ALPNProtocols: ['h2'],
    });
    const done = (problem: string | undefined) => { socket.destroy(); resolve(problem); };
    socket.setTimeout(3_000, () => done(undefined));
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code && !e.message.includes(e.code) ? `${e.message} (${e.code})` : e.message));
    // A server that refuses the client's certificate says so right after the handshake.
    socket.once('secureConnect', () => setTimeout(() => done(undefined), 500));
  });
}
