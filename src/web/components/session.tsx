import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { User } from '../api/client';

export interface SessionState {
  user: User | null;
  /** Keeps the token and answers who it belongs to (null when the API refuses it). */
  signIn(token: string): Promise<User | null>;
  signOut(): void;
}

export const SessionContext = createContext<SessionState>({ user: null, signIn: async () => null, signOut: () => undefined });

export const useSession = () => useContext(SessionContext);
