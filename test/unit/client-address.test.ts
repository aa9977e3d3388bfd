import { addressKey } from '../../src/auth/client-address';

/** The key every per-address limit counts under: IPv4 as is, IPv6 by its /64, IPv4-mapped IPv6 as its IPv4 address. */
describe('addressKey', () => {
  test.each([
    ['IPv4', '203.0.113.9', '203.0.113.9'],
    ['IPv4-mapped IPv6, dotted', '::ffff:203.0.113.9', '203.0.113.9'],
    ['IPv4-mapped IPv6, hex', '::ffff:cb00:7109', '203.0.113.9'],
    ['IPv4-mapped IPv6, upper case, full form', '0:0:0:0:0:FFFF:203.0.113.9', '203.0.113.9'],
    ['IPv6, compressed', '2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['IPv6, another host of the same /64', '2001:db8:1:2:ffff:eeee:dddd:cccc', '2001:db8:1:2::/64'],
    ['IPv6, leading zeros and upper case', '2001:0DB8:0001:0002:0000:0000:0000:0009', '2001:db8:1:2::/64'],
    ['IPv6, the next /64', '2001:db8:1:3::1', '2001:db8:1:3::/64'],
    ['IPv6, compression inside the prefix', '2001:db8::7', '2001:db8:0:0::/64'],
    ['IPv6 with a zone id', 'fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['IPv6 loopback', '::1', '0:0:0:0::/64'],
    ['IPv6 ending in a dotted IPv4 part (not mapped)', '64:ff9b::192.0.2.33', '64:ff9b:0:0::/64'],
    ['not an address (kept as given)', 'unknown', 'unknown'],
  ])('%s: %s → %s', (_, ip, key) => {
    expect(addressKey(ip)).toBe(key);
  });

  test('addresses of one /64 share a key; of two /64s, or of two IPv4 hosts, do not', () => {
    expect(addressKey('2001:db8:aa:bb::1')).toBe(addressKey('2001:db8:aa:bb:1234:5678:9abc:def0'));
    expect(addressKey('2001:db8:aa:bb::1')).not.toBe(addressKey('2001:db8:aa:bc::1'));
    expect(addressKey('198.51.100.1')).not.toBe(addressKey('198.51.100.2'));
  });
});
