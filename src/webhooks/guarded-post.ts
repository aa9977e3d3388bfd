import http from 'node:http';
import https from 'node:https';
import dns from 'node:dns';
import net, { BlockList, type LookupFunction } from 'node:net';

/** Where webhooks must never go: loopback, private, link-local (cloud metadata), shared, multicast, reserved. */
const BLOCKED = new BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2001:db8::', 32],
] as const) {
  BLOCKED.addSubnet(prefix, bits, 'ipv6');
}

export class RefusedAddressError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(`Refused to deliver to ${host}: it resolves to ${address}, a loopback, private, link-local or reserved address.`);
    this.name = 'RefusedAddressError';
  }
}

export function isBlockedAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return BLOCKED.check(mapped[1], 'ipv4');
  const family = net.isIP(address);
  if (family === 0) return true;
  return BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** A `lookup` that refuses blocked addresses: the check is on what the socket will connect to, not on the URL. */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const list = addresses as dns.LookupAddress[];
    const bad = list.find((a) => isBlockedAddress(a.address));
    if (bad || !list.length) return callback(new RefusedAddressError(hostname, bad?.address ?? 'nothing'), '', 0);
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    return callback(null, list[0].address, list[0].family);
  });
};

export interface PostOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  maxBodyBytes?: number;
}
export interface PostResult {
  status: number;
  body: string;
}

/**
 * One POST: no redirects followed (a 3xx is an answer like any other), a deadline on the whole
 * exchange, and at most `maxBodyBytes` of the answer read.
 */
export function guardedPost(url: string, headers: Record<string, string>, body: string, options: PostOptions): Promise<PostResult> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  // A literal address skips `lookup`: check it here.
  if (!options.allowPrivate && net.isIP(host) && isBlockedAddress(host)) return Promise.reject(new RefusedAddressError(host, host));
  const limit = options.maxBodyBytes ?? 4096;
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      target,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'ATS-Webhooks/1',
        },
        lookup: options.allowPrivate ? undefined : guardedLookup,
        agent: false,
        timeout: options.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        res.on('data', (chunk: Buffer) => {
          if (size < limit) chunks.push(chunk.subarray(0, limit - size));
          size += chunk.length;
          if (size >= limit) {
            res.destroy();
            done();
          }
        });
        res.on('end', done);
        res.on('error', reject);
      },
    );
    const deadline = setTimeout(() => req.destroy(new Error(`No answer within ${options.timeoutMs} ms.`)), options.timeoutMs);
    req.on('close', () => clearTimeout(deadline));
    req.on('timeout', () => req.destroy(new Error(`No answer within ${options.timeoutMs} ms.`)));
    req.on('error', reject);
    req.end(body);
  });
}
