import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useSyncExternalStore } from 'react';
import { api } from '@/lib/api/client';
import type { User } from '@/lib/api/types';
import { getToken, setToken, subscribeToken } from './token';

export function useToken(): string | null {
  return useSyncExternalStore(subscribeToken, getToken, () => null);
}

export interface CurrentUser {
  user: User | undefined;
  isLoading: boolean;
  signedIn: boolean;
}

/** The signed-in user, from GET /api/auth/me (only asked while a token is held). */
export function useCurrentUser(): CurrentUser {
  const token = useToken();
  const me = api.useQuery('get', '/api/auth/me', {}, { enabled: token !== null, staleTime: 60_000 });
  return {
    user: token ? me.data?.data.user : undefined,
    isLoading: token !== null && me.isPending,
    signedIn: token !== null,
  };
}

/** Keep a fresh token and its user (the login answer) and drop every cached answer of the previous user. */
export function useSignIn(): (token: string, user: User) => void {
  const queryClient = useQueryClient();
  return useCallback(
    (token: string, user: User) => {
      queryClient.clear();
      setToken(token);
      queryClient.setQueryData(api.queryOptions('get', '/api/auth/me', {}).queryKey, {
        success: true as const,
        message: 'Signed in',
        data: { user },
      });
    },
    [queryClient],
  );
}

export function useSignOut(): () => void {
  const queryClient = useQueryClient();
  return useCallback(() => {
    setToken(null);
    queryClient.clear();
  }, [queryClient]);
}
