import net from 'node:net';

/**
 * Joins an accepted connection to a fresh one to `target` (`host:port`), byte for byte, and keeps
 * both in `sockets` while they are open, so a test can cut every relayed connection at once.
 */
export function relayTo(target: string, client: net.Socket, sockets: Set<net.Socket>): void {
  const [host, port] = target.split(':');
  const upstream = net.connect(Number(port), host);
  for (const s of [client, upstream]) {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  }
  client.pipe(upstream).pipe(client);
}
