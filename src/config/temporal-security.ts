import fs from 'node:fs';

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
  const useTls =
    env.TEMPORAL_TLS ?? Boolean(env.TEMPORAL_API_KEY || env.TEMPORAL_TLS_CERT || env.TEMPORAL_TLS_CA || env.TEMPORAL_TLS_SERVER_NAME);
  return {
    apiKey: env.TEMPORAL_API_KEY,
    tls: useTls
      ? {
          ...(ca && { serverRootCACertificate: ca }),
          ...(crt && key && { clientCertPair: { crt, key } }),
          ...(env.TEMPORAL_TLS_SERVER_NAME && { serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME }),
        }
      : undefined,
  };
}
