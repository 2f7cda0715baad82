import { Link } from 'react-router';
import { ErrorAlert } from '@/components/ErrorAlert';
import { Loading } from '@/components/Loading';
import { Money } from '@/components/Money';
import { formatDateTime } from '@/lib/dates';
import { formatMoney } from '@/lib/money';
import { fundText } from '@/features/transactions/funds';
import { typeLabel, statusLabel } from '@/features/transactions/labels';
import { useWallet, useWalletHistory } from './api';
import { BalanceOverTime } from './BalanceOverTime';
import { BonusGrants } from './BonusGrants';
import { FundsPanel } from './FundsPanel';

export function WalletPage() {
  const wallet = useWallet();
  const history = useWalletHistory();
  const data = wallet.data?.data;

  return (
    <section aria-labelledby="wallet-heading">
      <h1 id="wallet-heading">Wallet</h1>
      <ErrorAlert error={wallet.error} />
      {wallet.isPending && <Loading />}
      {data && (
        <>
          {data.restricted && (
            <p className="alert" role="status">
              Your account owes <Money value={data.receivable} currency={data.currency} />: withdrawals and entries are
              paused until it is settled.
            </p>
          )}
          <div className="grid">
            <div className="card">
              <h2>Balance</h2>
              <p className="stat">
                <Money value={data.balance} currency={data.currency} testId="wallet-balance" />
              </p>
            </div>
            <div className="card">
              <h2>Available</h2>
              <p className="stat">
                <Money value={data.available} currency={data.currency} testId="wallet-available" />
              </p>
            </div>
            <div className="card">
              <h2>Held</h2>
              <p className="stat">
                <Money value={data.held} currency={data.currency} testId="wallet-held" />
              </p>
              <p className="muted">Reserved for withdrawals in progress.</p>
            </div>
            <div className="card">
              <h2>Earnings</h2>
              <p className="stat">
                <Money value={data.totalEarnings} currency={data.currency} testId="wallet-earnings" />
              </p>
              <p className="muted">Lifetime rewards.</p>
            </div>
          </div>
          <FundsPanel funds={data.funds} withdrawable={data.withdrawable} currency={data.currency} />
          <div className="actions">
            <Link to="/wallet/topup">Top up</Link>
            <Link to="/wallet/withdraw">Withdraw</Link>
            <Link to="/wallet/statements">Statements</Link>
          </div>
          <BonusGrants grants={data.bonusGrants} currency={data.currency} />
        </>
      )}
      <ErrorAlert error={history.error} />
      {history.data && <BalanceOverTime rows={history.data.data} currency={data?.currency ?? 'INR'} />}
      {data && (
        <section className="card" aria-labelledby="recent-heading">
          <h2 id="recent-heading">Recent transactions</h2>
          {data.recentTransactions.length === 0 ? (
            <p className="muted">No transactions yet.</p>
          ) : (
            <ul className="recent">
              {data.recentTransactions.map((tx) => (
                <li key={tx._id}>
                  <Link to={`/wallet/transactions/${encodeURIComponent(tx._id)}`}>
                    {tx.description || typeLabel(tx.type)}
                  </Link>{' '}
                  <span className="amount">{formatMoney(tx.amount, tx.currency)}</span>{' '}
                  <span className="muted">
                    {typeLabel(tx.type)}
                    {fundText(tx) ? ` (${fundText(tx)})` : ''} · {statusLabel(tx.status)} · {formatDateTime(tx.createdAt)}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <Link to="/wallet/transactions">All transactions</Link>
        </section>
      )}
    </section>
  );
}
