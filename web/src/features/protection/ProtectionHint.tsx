import { Link } from 'react-router';
import { errorCode } from '@/lib/api/errors';

const HINTS: Record<string, { text: string; to: string; link: string }> = {
  KYC_REQUIRED: { text: 'Withdrawals need a verified PAN.', to: '/wallet/verification', link: 'Verify your identity' },
  KYC_NAME_MISMATCH: {
    text: 'The payee name must be the name on your verified PAN.',
    to: '/wallet/verification',
    link: 'See your verification',
  },
  LIMIT_EXCEEDED: { text: 'This would go over a limit you set.', to: '/wallet/limits', link: 'See your limits' },
  SELF_EXCLUDED: { text: 'You are self-excluded.', to: '/wallet/limits', link: 'See your self-exclusion' },
};

/** Under a refused top-up, entry or withdrawal: where the player can see the control that refused it. */
export function ProtectionHint({ error }: { error: unknown }) {
  const code = errorCode(error);
  const hint = code ? HINTS[code] : undefined;
  if (!hint) return null;
  return (
    <p className="hint" data-testid="protection-hint">
      {hint.text} <Link to={hint.to}>{hint.link}</Link>
    </p>
  );
}
