import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Role } from '../db/entities/user.entity';
import { UnauthorizedError } from '../domain/errors';

/** `pwv` binds the token to the password it was issued under: a new password ends every older token. */
export interface TokenClaims {
  sub: string;
  role: Role;
  pwv: string;
}

export interface TokenSubject {
  id: number;
  role: Role;
  passwordHash: string;
}

export interface TokenService {
  issue(user: TokenSubject): { accessToken: string; tokenType: 'bearer'; expiresIn: number };
  verify(token: string): TokenClaims;
  /** Whether `claims` were issued under the password `passwordHash` is the hash of. */
  matchesPassword(claims: Pick<TokenClaims, 'pwv'>, passwordHash: string): boolean;
  /** The `pwv` of a password hash, for other credentials that must end with the password (session cookies). */
  passwordVersion(passwordHash: string): string;
}

/** HS256 only: the algorithm is pinned on verification, so `none` or an RS/HS confusion never passes. */
export function createTokenService(secret: string, expireMinutes: number): TokenService {
  const expiresIn = expireMinutes * 60;
  // A key object once: given a string, jsonwebtoken tries it as a public key (a failed parse and a
  // thrown error) before taking it as a secret, on every token it signs or verifies.
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  // A keyed digest of the hash, so a token reveals nothing about the password or its hash.
  const passwordVersion = (passwordHash: string) =>
    createHmac('sha256', secret).update(`password-version:${passwordHash}`).digest('base64url').slice(0, 22);
  return {
    issue(user) {
      const accessToken = jwt.sign({ role: user.role, pwv: passwordVersion(user.passwordHash) }, key, {
        algorithm: 'HS256',
        subject: String(user.id),
        expiresIn,
      });
      return { accessToken, tokenType: 'bearer', expiresIn };
    },
    verify(token) {
      try {
        const claims = jwt.verify(token, key, { algorithms: ['HS256'] });
        if (
          typeof claims !== 'object' ||
          typeof claims.sub !== 'string' ||
          typeof claims.exp !== 'number' ||
          typeof claims.pwv !== 'string'
        ) {
          throw new Error('missing claims');
        }
        return { sub: claims.sub, role: (claims as { role: Role }).role, pwv: claims.pwv };
      } catch {
        throw new UnauthorizedError('The access token is missing, invalid or expired.');
      }
    },
    matchesPassword(claims, passwordHash) {
      const want = Buffer.from(passwordVersion(passwordHash));
      const got = Buffer.from(claims.pwv);
      return got.length === want.length && timingSafeEqual(got, want);
    },
    passwordVersion,
  };
}
