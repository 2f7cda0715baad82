import { useState } from 'react';
import { BusyButton } from '@/components/BusyButton';
import { ErrorAlert } from '@/components/ErrorAlert';
import { formatMoney } from '@/lib/money';
import { useAudit } from './api';
import { formatDateTime } from '@/lib/dates';

function amountText(value: number, currency: string | null): string {
  if (!currency) return String(value);
  try {
    return formatMoney(value, currency);
  } catch {
    return `${value} ${currency}`;
  }
}

/** /admin/books: runs the wallet and cross-service audit and shows what it found. */
export function BooksPage() {
  const [requested, setRequested] = useState(false);
  const audit = useAudit(requested);
  const report = audit.data?.data;

  return (
    <section aria-labelledby="books-heading">
      <h1 id="books-heading">Books</h1>
      <p className="muted">Checks every wallet&apos;s ledger and compares the services&apos; records of the same money.</p>
      <BusyButton
        busy={audit.isFetching}
        onClick={() => {
          if (requested) void audit.refetch();
          else setRequested(true);
        }}
      >
        Run audit
      </BusyButton>
      <ErrorAlert error={audit.error} />
      {report && (
        <div className="card">
          <p className="stat">
            <span data-testid="audit-status" className={report.ok ? 'success' : 'negative'}>
              {report.ok ? 'Balanced' : 'Discrepancies found'}
            </span>
          </p>
          <p className="muted">Checked {formatDateTime(report.checkedAt)}</p>
          <h2>Ledger</h2>
          <ul>
            <li>Accounts checked: {report.ledger.accountsChecked}</li>
            <li>Transactions checked: {report.ledger.transactionsChecked}</li>
            <li>Holds checked: {report.ledger.holdsChecked}</li>
            <li>{report.ledger.ok ? 'Ledger balanced' : `${report.ledger.violations.length} ledger violations`}</li>
          </ul>
          <h2>Cross-service</h2>
          <ul>
            {Object.entries(report.crossService.checked).map(([name, count]) => (
              <li key={name}>
                {name}: {count} checked
              </li>
            ))}
            <li>{report.crossService.ok ? 'Services agree' : 'Services disagree'}</li>
          </ul>
          {report.stuck.length > 0 && (
            <>
              <h2>Stuck operations</h2>
              <ul aria-label="Stuck operations">
                {report.stuck.map((item) => (
                  <li key={item}>{item}</li>
                ))}
              </ul>
            </>
          )}
          <h2>Discrepancies</h2>
          {report.discrepancies.length === 0 ? (
            <p>None.</p>
          ) : (
            <ul aria-label="Discrepancies">
              {report.discrepancies.map((finding, index) => (
                <li key={index}>
                  <strong>{finding.kind}</strong> ({finding.source}): {finding.detail}
                  {Object.keys(finding.ids).length > 0 && (
                    <div className="muted">
                      {Object.entries(finding.ids)
                        .map(([name, value]) => `${name} ${value}`)
                        .join(', ')}
                    </div>
                  )}
                  {Object.keys(finding.amounts).length > 0 && (
                    <div className="muted">
                      {Object.entries(finding.amounts)
                        .map(([name, value]) => `${name} ${amountText(value, finding.currency)}`)
                        .join(', ')}
                    </div>
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
