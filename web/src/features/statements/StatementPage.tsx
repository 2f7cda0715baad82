import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { DownloadButton } from '@/components/DownloadButton';
import { ErrorAlert } from '@/components/ErrorAlert';
import { Loading } from '@/components/Loading';
import { fetchStatementFile, useStatement, type Period } from './api';
import { lastThirtyDays, periodError } from './period';
import { StatementView } from './StatementView';

/** /wallet/statements: pick a period, read the statement, download it as CSV or PDF. */
export function StatementPage() {
  const [draft, setDraft] = useState<Period>(() => lastThirtyDays(new Date()));
  const [period, setPeriod] = useState<Period>(draft);
  const [invalid, setInvalid] = useState<string | null>(null);
  const statement = useStatement(period);

  function show(event: FormEvent) {
    event.preventDefault();
    const problem = periodError(draft);
    setInvalid(problem);
    if (!problem) setPeriod(draft);
  }

  return (
    <section aria-labelledby="statement-heading">
      <h1 id="statement-heading">Statement</h1>
      <p>
        <Link to="/wallet/tax-statement">Tax statement</Link>
      </p>
      <form className="filters card" onSubmit={show} noValidate aria-label="Statement period">
        <div className="field">
          <label htmlFor="statement-from">From</label>
          <input id="statement-from" type="date" value={draft.from}
            onChange={(event) => setDraft({ ...draft, from: event.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="statement-to">To</label>
          <input id="statement-to" type="date" value={draft.to}
            onChange={(event) => setDraft({ ...draft, to: event.target.value })} />
        </div>
        <button type="submit">Show statement</button>
      </form>
      {invalid && (
        <p role="alert" className="alert">
          {invalid}
        </p>
      )}
      <div className="actions">
        <DownloadButton label="Download CSV" fetchFile={() => fetchStatementFile(period, 'csv')} />
        <DownloadButton label="Download PDF" fetchFile={() => fetchStatementFile(period, 'pdf')} />
      </div>
      <ErrorAlert error={statement.error} />
      {statement.isPending && <Loading />}
      {statement.data && <StatementView statement={statement.data} />}
    </section>
  );
}
