import { useState } from 'react';
import { BusyButton } from '@/components/BusyButton';
import { ErrorAlert } from '@/components/ErrorAlert';
import { downloadText } from '@/lib/csv';
import { fetchAllTransactions, transactionsCsv, type PageFetcher } from './csv';

/** "Export CSV": fetches every page of what is filtered and downloads it. */
export function ExportCsvButton({ fetchPage, filename }: { fetchPage: PageFetcher; filename: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function exportAll() {
    setBusy(true);
    setError(null);
    try {
      const rows = await fetchAllTransactions(fetchPage);
      downloadText(filename, transactionsCsv(rows));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <BusyButton busy={busy} className="secondary" onClick={() => void exportAll()}>
        Export CSV
      </BusyButton>
      <ErrorAlert error={error} />
    </>
  );
}
