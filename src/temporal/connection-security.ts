import net from 'node:net';
import tls from 'node:tls';
import type { TemporalSecurity } from '../config/temporal-security';

/** The options both the client's and the worker's connection take. */
export function connectionOptions(temporal: { address: string; security: TemporalSecurity }): {
  address: string;
  tls?: TemporalSecurity['tls'];
  apiKey?: string;
} {
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
  return new Error(
    `cannot connect to Temporal at ${temporal.address} ${how}: ${reason ? `TLS handshake failed: ${reason}` : (err as Error).message}`,
    { cause: err },
  );
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
    const done = (problem: string | undefined) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(3_000, () => done(undefined));
    socket.once('error', (e: NodeJS.ErrnoException) =>
      done(e.code && !e.message.includes(e.code) ? `${e.message} (${e.code})` : e.message),
    );
    // A server that refuses the client's certificate says so right after the handshake.
    socket.once('secureConnect', () => setTimeout(() => done(undefined), 500));
  });
}
