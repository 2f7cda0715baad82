import { Money } from '@/components/Money';
import { TableWrap } from '@/components/TableWrap';
import type { Distribution } from './api';

/** Every winner's payout of a distribution (or its preview), with the pool and the fees taken off it first. */
export function RewardsTable({ distribution, label }: { distribution: Distribution; label: string }) {
  const { currency } = distribution;
  return (
    <TableWrap label={label}>
      <table aria-label={label}>
        <thead>
          <tr>
            <th scope="col">User ID</th>
            <th scope="col">Rank</th>
            <th scope="col" className="amount">Amount</th>
          </tr>
        </thead>
        <tbody>
          {distribution.payouts.map((payout) => (
            <tr key={payout.userId}>
              <td>{payout.userId}</td>
              <td>{payout.rank}</td>
              <td className="amount">
                <Money value={payout.amount} currency={currency} />
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>Prize pool</th>
            <td className="amount">
              <Money value={distribution.prizePool} currency={currency} testId="reward-prize-pool" />
            </td>
          </tr>
          <tr>
            <th scope="row" colSpan={2}>Platform fee ({distribution.platformFeePercentage}%)</th>
            <td className="amount">
              <Money value={distribution.platformFee} currency={currency} testId="reward-platform-fee" />
            </td>
          </tr>
          <tr>
            <th scope="row" colSpan={2}>Organizer fee ({distribution.organizerFeePercentage}%)</th>
            <td className="amount">
              <Money value={distribution.organizerFee} currency={currency} testId="reward-organizer-fee" />
            </td>
          </tr>
        </tfoot>
      </table>
    </TableWrap>
  );
}
