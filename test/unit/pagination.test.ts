import { PageQuery, decodeCursor, encodeCursor, toPage } from '../../src/http/schemas/pagination.schemas';

describe('cursors', () => {
  test.each([1, 42, 2 ** 31, 999_999_999_999_999])('%d survives a round trip', (id) => {
    const cursor = encodeCursor(id);
    expect(cursor).toMatch(/^[0-9]+$/);
    expect(decodeCursor(cursor)).toBe(id);
  });

  test.each([
    ['empty', ''],
    ['not a number', '%%%'],
    ['zero', '0'],
    ['negative', '-5'],
    ['leading zero', '05'],
    ['a fraction', '1.5'],
    ['beyond 15 digits', '1000000000000000'],
    ['trailing junk', `${encodeCursor(7)}!`],
  ])('%s is refused', (_label, cursor) => {
    expect(decodeCursor(cursor)).toBeUndefined();
  });
});

describe('page query', () => {
  test.each([
    [{}, { limit: 20 }],
    [{ limit: '1' }, { limit: 1 }],
    [
      { limit: '100', cursor: encodeCursor(9) },
      { limit: 100, cursor: encodeCursor(9) },
    ],
  ])('%j parses to %j', (input, output) => {
    expect(PageQuery.parse(input)).toEqual(output);
  });

  test.each([[{ limit: '0' }], [{ limit: '101' }], [{ limit: '2.5' }], [{ limit: 'ten' }], [{ cursor: 'nope!' }]])(
    '%j is refused',
    (input) => {
      expect(PageQuery.safeParse(input).success).toBe(false);
    },
  );
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
