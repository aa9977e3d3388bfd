import jwt from 'jsonwebtoken';
import type { Role } from '../db/entities/user.entity';
import { UnauthorizedError } from '../domain/errors';

export interface TokenClaims { sub: string; role: Role }

export interface TokenService {
  issue(userId: number, role: Role): { accessToken: string; tokenType: 'bearer'; expiresIn: number };
  verify(token: string): TokenClaims;
}

/** HS256 only: the algorithm is pinned on verification, so `none` or an RS/HS confusion never passes. */
export function createTokenService(secret: string, expireMinutes: number): TokenService {
  const expiresIn = expireMinutes * 60;
  return {
    issue(userId, role) {
      const accessToken = jwt.sign({ role }, secret, { algorithm: 'HS256', subject: String(userId), expiresIn });
      return { accessToken, tokenType: 'bearer', expiresIn };
    },
    verify(token) {
      try {
        const claims = jwt.verify(token, secret, { algorithms: ['HS256'] });
        if (typeof claims !== 'object' || typeof claims.sub !== 'string' || typeof claims.exp !== 'number') {
          throw new Error('missing claims');
        }
        return { sub: claims.sub, role: (claims as { role: Role }).role };
      } catch {
        throw new UnauthorizedError('The access token is missing, invalid or expired.');
      }
    },
  };
}
