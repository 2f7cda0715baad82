import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ErrorAlert } from '@/components/ErrorAlert';
import { Loading } from '@/components/Loading';
import { Money } from '@/components/Money';
import { invalidatePaths } from '@/lib/api/invalidate';
import { useVerifyTopUp } from './api';

/** Back from checkout: verifies the session (refresh-safe: the server credits a session once). */
export function TopUpSuccessPage() {
  const [params] = useSearchParams();
  const sessionId = params.get('session_id') ?? '';
  const verify = useVerifyTopUp(sessionId);
  const queryClient = useQueryClient();
  const result = verify.data?.data;
  const credited = result?.status === 'credited';

  useEffect(() => {
    if (credited) void invalidatePaths(queryClient, ['/api/wallet', '/api/transactions']);
  }, [credited, queryClient]);

  if (!sessionId) {
    return (
      <section aria-labelledby="topup-result-heading">
        <h1 id="topup-result-heading">Top-up not completed</h1>
        <p role="alert" className="alert">
          This link has no checkout session.
        </p>
        <Link to="/wallet/topup">Try again</Link>
      </section>
    );
  }
  if (verify.isError) {
    return (
      <section aria-labelledby="topup-result-heading">
        <h1 id="topup-result-heading">Top-up not completed</h1>
        <ErrorAlert error={verify.error} />
        <Link to="/wallet/topup">Try again</Link>
      </section>
    );
  }
  if (!result || result.status === 'created' || result.status === 'paid') {
    return (
      <section aria-labelledby="topup-result-heading" aria-busy="true">
        <h1 id="topup-result-heading">Confirming your payment</h1>
        <Loading label="Checking with the payment provider…" />
        {result && (
          <button type="button" className="secondary" disabled={verify.isFetching} onClick={() => void verify.refetch()}>
            Check again
          </button>
        )}
      </section>
    );
  }
  if (credited) {
    return (
      <section aria-labelledby="topup-result-heading">
        <h1 id="topup-result-heading">Top-up complete</h1>
        <div className="card">
          <p>
            Credited: <Money value={result.amount} currency={result.currency} testId="topup-credited" />
          </p>
          <p>
            New balance: <Money value={result.balance} currency={result.currency} testId="wallet-balance" />
          </p>
        </div>
        <Link to="/wallet">Back to your wallet</Link>
      </section>
    );
  }
  return (
    <section aria-labelledby="topup-result-heading">
      <h1 id="topup-result-heading">Top-up not completed</h1>
      <p>
        The payment was {result.status}. Nothing was credited
        {result.status === 'failed' ? '; if you were charged, the provider returns it' : ''}.
      </p>
      <Link to="/wallet/topup">Try again</Link>
    </section>
  );
}
