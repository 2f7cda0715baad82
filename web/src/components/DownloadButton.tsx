import { useState } from 'react';
import { BusyButton } from '@/components/BusyButton';
import { ErrorAlert } from '@/components/ErrorAlert';
import { downloadBlob } from '@/lib/download';

export interface DownloadedFile {
  filename: string;
  blob: Blob;
}

/** A button that fetches a file with the app's sign-in (a bearer header, so not a plain link) and saves it. */
export function DownloadButton({ label, fetchFile }: { label: string; fetchFile: () => Promise<DownloadedFile> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function download() {
    setBusy(true);
    setError(null);
    try {
      const file = await fetchFile();
      downloadBlob(file.filename, file.blob);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <BusyButton busy={busy} className="secondary" onClick={() => void download()}>
        {label}
      </BusyButton>
      <ErrorAlert error={error} />
    </>
  );
}
