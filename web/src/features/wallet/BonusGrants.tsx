import { Money } from '@/components/Money';
import { TableWrap } from '@/components/TableWrap';
import type { BonusGrant } from '@/lib/api/types';
import { formatDateTime } from '@/lib/dates';

/** "Bonus grants": the active grants with what is left of each and when it expires. */
export function BonusGrants({ grants, currency }: { grants: BonusGrant[]; currency: string }) {
  const active = grants.filter((grant) => grant.status === 'active');
  return (
    <section className="card" aria-labelledby="bonus-grants-heading">
      <h2 id="bonus-grants-heading">Bonus grants</h2>
      {active.length === 0 ? (
        <p className="muted">No active bonus.</p>
      ) : (
        <TableWrap label="Active bonus grants">
          <table>
            <caption className="visually-hidden">Active bonus grants</caption>
            <thead>
              <tr>
                <th scope="col">Reason</th>
                <th scope="col" className="amount">Granted</th>
                <th scope="col" className="amount">Remaining</th>
                <th scope="col">Expires</th>
              </tr>
            </thead>
            <tbody>
              {active.map((grant) => (
                <tr key={grant.id}>
                  <td>{grant.reason}</td>
                  <td className="amount"><Money value={grant.amount} currency={currency} /></td>
                  <td className="amount"><Money value={grant.remaining} currency={currency} /></td>
                  <td>{grant.expiresAt ? formatDateTime(grant.expiresAt) : 'Never'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
