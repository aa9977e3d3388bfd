import http from 'node:http';
import type { Metrics } from '../metrics';

/**
 * The listener METRICS_PORT opens: `GET /metrics` without authentication, as Prometheus scrapes it,
 * and nothing else. It is meant for a private interface (METRICS_HOST, loopback by default).
 */
export function createMetricsListener(metrics: Pick<Metrics, 'registry'>): http.Server {
  return http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0].replace(/(.)\/+$/, '$1');
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('This listener serves GET /metrics only.\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('GET /metrics only.\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) =>
        res
          .writeHead(200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' })
          .end(req.method === 'HEAD' ? undefined : text),
      () => res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('The metrics could not be collected.\n'),
    );
  });
}
