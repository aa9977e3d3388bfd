import { randomBytes } from 'node:crypto';
import { candidateOf, isSealed, open, seal } from '../../src/crypto/personal-fields';

describe("personal fields sealed under a candidate's data key", () => {
  const key = randomBytes(32);

  test('seal names the candidate, hides the text, and opens with the same key only', () => {
    const sealed = seal(key, 42, 'Dear team, I am Ada.');
    expect(isSealed(sealed)).toBe(true);
    expect(candidateOf(sealed)).toBe(42);
    expect(sealed).not.toContain('Ada');
    expect(open(key, sealed)).toBe('Dear team, I am Ada.');
    expect(open(randomBytes(32), sealed)).toBeNull();
    // The destroyed key: nothing opens.
    expect(open(null, sealed)).toBeNull();
  });

  test('a value moved to another candidate does not open: the candidate id is authenticated', () => {
    const sealed = seal(key, 42, 'text');
    expect(open(key, sealed.replace('ats-pd:v1:42:', 'ats-pd:v1:43:'))).toBeNull();
  });

  test('plain strings are not sealed values', () => {
    for (const value of ['hello', 'ats-pd:v1:x:abc', 'ats-pd:v1:1:', null, 3]) expect(isSealed(value)).toBe(false);
  });
});
