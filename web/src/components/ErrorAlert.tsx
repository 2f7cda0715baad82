import { errorMessage } from '@/lib/api/errors';

/** The error envelope's message in role=alert (nothing when there is no error). */
export function ErrorAlert({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  return (
    <p role="alert" className="alert">
      {errorMessage(error)}
    </p>
  );
}
