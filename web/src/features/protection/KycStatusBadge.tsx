import type { Kyc } from './api';

const LABELS: Record<Kyc['status'], string> = {
  none: 'Not submitted',
  pending: 'Pending review',
  verified: 'Verified',
  rejected: 'Rejected',
  flagged: 'Flagged for review',
};

/** A KYC record's status (and the reviewer's note, if any); the PAN only ever as the API masks it. */
export function KycStatusBadge({ kyc }: { kyc: Kyc }) {
  return (
    <p>
      Status: <strong data-testid="kyc-status">{LABELS[kyc.status]}</strong>
      {kyc.pan ? <> · PAN <span data-testid="kyc-pan">{kyc.pan}</span></> : null}
      {kyc.note ? <> · Note: {kyc.note}</> : null}
    </p>
  );
}
