import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { guardedPost, isBlockedAddress, RefusedAddressError } from '../../src/webhooks/guarded-post';

describe('isBlockedAddress', () => {
  test.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.100.100.200', true],
    ['0.0.0.0', true],
    ['224.0.0.1', true],
    ['::1', true],
    ['::', true],
    ['fe80::1', true],
    ['fc00::1', true],
    ['fd00:ec2::254', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:169.254.169.254', true],
    ['8.8.8.8', false],
    ['172.32.0.1', false],
    ['93.184.216.34', false],
    ['2606:4700::1111', false],
    ['::ffff:8.8.8.8', false],
  ])('%s → %s', (address, blocked) => {
    expect(isBlockedAddress(address)).toBe(blocked);
  });
});

describe('guardedPost', () => {
  let server: http.Server;
  let port: number;
  let hits = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits++;
      if (req.url === '/redirect') {
        res.writeHead(302, { Location: 'http://example.com/' });
        res.end();
      } else if (req.url === '/big') {
        res.end('x'.repeat(100_000));
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 2_000);
      } else {
        res.end('ok');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    hits = 0;
  });

  const post = (url: string, allowPrivate = false, timeoutMs = 5_000) => guardedPost(url, {}, '{}', { timeoutMs, allowPrivate });

  test.each([
    ['a name resolving to loopback', () => `http://localhost:${port}/`],
    ['a loopback literal', () => `http://127.0.0.1:${port}/`],
    ['an IPv6 loopback literal', () => `http://[::1]:${port}/`],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/'],
    ['a private literal', () => 'http://10.0.0.1/'],
  ])('refuses %s when private delivery is off, before sending anything', async (_name, url) => {
    await expect(post(url())).rejects.toBeInstanceOf(RefusedAddressError);
    expect(hits).toBe(0);
  });

  test('with private delivery on (development, tests), the same loopback receiver is reached', async () => {
    await expect(post(`http://localhost:${port}/`, true)).resolves.toEqual({ status: 200, body: 'ok' });
    expect(hits).toBe(1);
  });

  test('a redirect is an answer, not followed', async () => {
    await expect(post(`http://127.0.0.1:${port}/redirect`, true)).resolves.toMatchObject({ status: 302 });
    expect(hits).toBe(1);
  });

  test('reads at most 4 KiB of the answer', async () => {
    const { body } = await post(`http://127.0.0.1:${port}/big`, true);
    expect(body.length).toBe(4096);
  });

  test('gives up at the deadline', async () => {
    await expect(post(`http://127.0.0.1:${port}/slow`, true, 300)).rejects.toThrow(/No answer within 300 ms/);
  });
});
