import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { User } from '../api/client';

export interface SessionState {
  user: User | null;
  signIn(token: string): Promise<void>;
  signOut(): void;
}

export const SessionContext = createContext<SessionState>({ user: null, signIn: async () => undefined, signOut: () => undefined });

export const useSession = () => useContext(SessionContext);
