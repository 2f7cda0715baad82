import { useState } from 'react';
import { Link } from 'react-router';
import { DownloadButton, type DownloadedFile } from '@/components/DownloadButton';
import { ErrorAlert } from '@/components/ErrorAlert';
import { FinancialYearSelect } from '@/components/FinancialYearSelect';
import { Loading } from '@/components/Loading';
import { TableWrap } from '@/components/TableWrap';
import { fetchClient } from '@/lib/api/client';
import { attachmentName } from '@/lib/download';
import { QUARTER_LABELS, QUARTERS, recentFinancialYears, type Quarter } from '@/lib/financialYear';
import { formatMoney } from '@/lib/money';
import { useTdsReport } from './api';

async function reportCsv(fy: string, quarter: Quarter | ''): Promise<DownloadedFile> {
  const { data, error, response } = await fetchClient.GET('/api/admin/tax/tds', {
    params: { query: { fy, format: 'csv', ...(quarter ? { quarter } : {}) } },
    parseAs: 'blob',
  });
  if (!data) throw error ?? new Error('No file');
  const fallback = `winzone-tds-${fy}${quarter ? `-${quarter}` : ''}.csv`;
  return { blob: data, filename: attachmentName(response.headers.get('Content-Disposition'), fallback) };
}

/** /admin/tax/tds: TDS withheld per user and quarter of a financial year, with the CSV for the return. */
export function TdsReportPage() {
  const [years] = useState(() => recentFinancialYears(new Date()));
  const [fy, setFy] = useState(years[0] ?? '');
  const [quarter, setQuarter] = useState<Quarter | ''>('');
  const report = useTdsReport(fy, quarter);
  const data = report.data;
  return (
    <section aria-labelledby="tds-report-heading">
      <h1 id="tds-report-heading">TDS report</h1>
      <div className="filters">
        <FinancialYearSelect id="tds-fy" years={years} value={fy} onChange={setFy} />
        <div className="field">
          <label htmlFor="tds-quarter">Quarter</label>
          <select id="tds-quarter" value={quarter} onChange={(event) => setQuarter(event.target.value as Quarter | '')}>
            <option value="">Whole year</option>
            {QUARTERS.map((value) => (
              <option key={value} value={value}>
                {QUARTER_LABELS[value]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="actions">
        <DownloadButton label="Download CSV" fetchFile={() => reportCsv(fy, quarter)} />
      </div>
      <ErrorAlert error={report.error} />
      {report.isPending && <Loading />}
      {data && (
        <TableWrap label="TDS by user">
          <table>
            <caption className="visually-hidden">TDS by user</caption>
            <thead>
              <tr>
                <th scope="col">User ID</th>
                <th scope="col">PAN</th>
                <th scope="col">Quarter</th>
                <th scope="col" className="amount">Withdrawals</th>
                <th scope="col" className="amount">Net winnings</th>
                <th scope="col" className="amount">TDS</th>
              </tr>
            </thead>
            <tbody>
              {data.lines.length === 0 && (
                <tr>
                  <td colSpan={6} className="muted">No TDS in this period.</td>
                </tr>
              )}
              {data.lines.map((line) => (
                <tr key={`${line.userId}-${line.quarter}`}>
                  <td>
                    <Link to={`/admin/users/${encodeURIComponent(line.userId)}`}>{line.userId}</Link>
                  </td>
                  <td>{line.pan ?? '—'}</td>
                  <td>{line.quarter}</td>
                  <td className="amount">{line.withdrawals}</td>
                  <td className="amount">{formatMoney(line.netWinnings, data.currency)}</td>
                  <td className="amount">{formatMoney(line.tds, data.currency)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={3}>Total</th>
                <td className="amount" data-testid="tds-total-withdrawals">{data.totals.withdrawals}</td>
                <td className="amount" data-testid="tds-total-net-winnings">{formatMoney(data.totals.netWinnings, data.currency)}</td>
                <td className="amount" data-testid="tds-total-tds">{formatMoney(data.totals.tds, data.currency)}</td>
              </tr>
            </tfoot>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
