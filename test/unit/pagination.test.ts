import { PageQuery, decodeCursor, encodeCursor, toPage } from '../../src/http/schemas/pagination.schemas';

describe('cursors', () => {
  test.each([1, 42, 2 ** 31, Number.MAX_SAFE_INTEGER])('%d survives a round trip', (id) => {
    const cursor = encodeCursor(id);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toBe(id);
  });

  test.each([
    ['empty', ''],
    ['not base64url', '%%%'],
    ['zero', encodeCursor(0)],
    ['negative', Buffer.from('-5').toString('base64url')],
    ['leading zero', Buffer.from('05').toString('base64url')],
    ['not a number', Buffer.from('abc').toString('base64url')],
    ['too large', Buffer.from('99999999999999999').toString('base64url')],
    ['padded', `${encodeCursor(7)}=`],
    ['trailing junk', `${encodeCursor(7)}!`],
  ])('%s is refused', (_label, cursor) => {
    expect(decodeCursor(cursor)).toBeUndefined();
  });
});

describe('page query', () => {
  test.each([
    [{}, { limit: 20 }],
    [{ limit: '1' }, { limit: 1 }],
    [{ limit: '100', cursor: encodeCursor(9) }, { limit: 100, cursor: encodeCursor(9) }],
  ])('%j parses to %j', (input, output) => {
    expect(PageQuery.parse(input)).toEqual(output);
  });

  test.each([[{ limit: '0' }], [{ limit: '101' }], [{ limit: '2.5' }], [{ limit: 'ten' }], [{ cursor: 'nope!' }]])('%j is refused', (input) => {
    expect(PageQuery.safeParse(input).success).toBe(false);
  });
});

describe('toPage', () => {
  const rows = (...ids: number[]) => ids.map((id) => ({ id }));

  test('an extra row means a next page, pointing after the last row shown', () => {
    expect(toPage(rows(9, 8, 7), 2, (r) => r.id)).toEqual({ items: [9, 8], nextCursor: encodeCursor(8) });
  });

  test('no extra row means the last page', () => {
    expect(toPage(rows(9, 8), 2, (r) => r.id)).toEqual({ items: [9, 8], nextCursor: null });
    expect(toPage([], 2, (r: { id: number }) => r.id)).toEqual({ items: [], nextCursor: null });
  });
});
