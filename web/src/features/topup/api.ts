import { api } from '@/lib/api/client';

export function useStartTopUp() {
  return api.useMutation('post', '/api/wallet/topup');
}

/** The session's state; POST but safe to repeat (the server credits once). Polls while the payment is pending. */
export function useVerifyTopUp(sessionId: string) {
  return api.useQuery(
    'post',
    '/api/wallet/topup/verify',
    { body: { sessionId } },
    {
      enabled: sessionId !== '',
      retry: false,
      staleTime: 0,
      refetchInterval: (query) => {
        const status = query.state.data?.data.status;
        const pending = status === 'created' || status === 'paid';
        return pending && query.state.dataUpdateCount < 30 ? 2000 : false;
      },
    },
  );
}
