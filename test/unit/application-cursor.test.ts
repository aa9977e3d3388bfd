import { decodeApplicationCursor, encodeApplicationCursor } from '../../src/applications/application-cursor';

describe('application list cursors', () => {
  const key = { createdAt: '2026-11-24T12:00:00.123Z', id: 'application-job3-candidate9' };
  const cursor = encodeApplicationCursor(key);

  test('round-trip the (createdAt, id) key and need no escaping in a query string', () => {
    const cursor = encodeApplicationCursor(key);
    expect(encodeURIComponent(cursor).replace(/%3A/g, ':')).toBe(cursor);
    expect(decodeApplicationCursor(cursor)).toEqual(key);
  });

  test('take both shapes of application id: with the random part and without', () => {
    const newer = { createdAt: key.createdAt, id: 'application-job3-candidate9-k3v7q2m5za' };
    expect(decodeApplicationCursor(encodeApplicationCursor(newer))).toEqual(newer);
    expect(decodeApplicationCursor(`${key.createdAt}~application-job3-candidate9-k3v7`)).toBeUndefined();
  });

  const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
  test.each([
    ['not base64 JSON', 'not a cursor'],
    ['a bare id', b64('42')],
    ['an object', b64(key)],
    ['a malformed time', b64(['yesterday', 'x'])],
    ['a number for the id', b64([key.createdAt, 7])],
    ['three parts', b64([key.createdAt, 'x', 'y'])],
    ['trailing junk', `${cursor}=`],
    ['a time without its zone', cursor.replace('Z~', '~')],
    ['an id that names no application', `${key.createdAt}~job3`],
    ['empty', ''],
  ])('refuse %s', (_, cursor) => {
    expect(decodeApplicationCursor(cursor)).toBeUndefined();
  });
});
