import { Pager } from '@/features/transactions/Pager';
import { useState } from 'react';
import { Link } from 'react-router';
import { ErrorAlert } from '@/components/ErrorAlert';
import { Loading } from '@/components/Loading';
import { Money } from '@/components/Money';
import { TableWrap } from '@/components/TableWrap';
import { useCurrentUser } from '@/lib/auth/session';
import { COMPETITION_STATUSES, useCompetitions, type CompetitionStatus } from './api';

/** /competitions: every competition, newest first, filtered by status, a page at a time. */
export function CompetitionsPage() {
  const { user } = useCurrentUser();
  const [status, setStatus] = useState<CompetitionStatus | ''>('');
  const [page, setPage] = useState(1);
  const list = useCompetitions(status, page);
  const canOpen = user?.role === 'organizer' || user?.role === 'admin';

  return (
    <section aria-labelledby="competitions-heading">
      <h1 id="competitions-heading">Competitions</h1>
      {canOpen && (
        <p>
          <Link to="/competitions/new">Open a competition</Link>
        </p>
      )}
      <div className="filters">
        <div className="field">
          <label htmlFor="competition-status">Status</label>
          <select
            id="competition-status"
            value={status}
            onChange={(event) => {
              setStatus(event.target.value as CompetitionStatus | '');
              setPage(1);
            }}
          >
            <option value="">All</option>
            {COMPETITION_STATUSES.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ErrorAlert error={list.error} />
      {list.isPending && <Loading />}
      {list.data && list.data.data.length === 0 && <p>No competitions yet.</p>}
      {list.data && list.data.data.length > 0 && (
        <TableWrap label="Competitions">
          <table>
            <caption className="visually-hidden">Competitions</caption>
            <thead>
              <tr>
                <th scope="col">Competition</th>
                <th scope="col">Status</th>
                <th scope="col" className="amount">Entry fee</th>
                <th scope="col" className="amount">Pool</th>
                <th scope="col">Entries</th>
                <th scope="col">Prize template</th>
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((competition) => (
                <tr key={competition._id}>
                  <td>
                    <Link to={`/competitions/${encodeURIComponent(competition._id)}`}>{competition._id}</Link>
                  </td>
                  <td>{competition.status}</td>
                  <td className="amount">
                    <Money value={competition.entryFee} currency={competition.currency} />
                  </td>
                  <td className="amount">
                    <Money value={competition.poolBalance} currency={competition.currency} />
                  </td>
                  <td>{competition.entries}</td>
                  <td>{competition.template}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <Pager pagination={list.data?.pagination} onPage={setPage} />
    </section>
  );
}
