import { Link, useParams } from 'react-router';
import { ErrorAlert } from '@/components/ErrorAlert';
import { Loading } from '@/components/Loading';
import { KycStatusBadge } from '@/features/protection/KycStatusBadge';
import { CurrentLimits, ExclusionState } from '@/features/protection/LimitsPage';
import { useUserProtection } from './api';
import { BonusGrantForm } from './BonusGrantForm';

/** /admin/users/:userId: one player's KYC, limits (with pending changes) and self-exclusion (read-only), and a bonus grant. */
export function UserProtectionPage() {
  const { userId = '' } = useParams();
  const protection = useUserProtection(userId);
  const data = protection.data?.data;
  return (
    <section aria-labelledby="user-protection-heading">
      <h1 id="user-protection-heading">Player {userId}</h1>
      <p>
        <Link to={`/admin/payouts?userId=${encodeURIComponent(userId)}`}>Payouts of this player</Link>
      </p>
      {protection.isPending && <Loading />}
      <ErrorAlert error={protection.error} />
      {data && (
        <div className="card narrow-wide">
          <h2>Verification</h2>
          <KycStatusBadge kyc={data.kyc} />
          {data.kyc.name && (
            <p>
              Name {data.kyc.name}, born {data.kyc.dateOfBirth ?? '—'}
              {data.kyc.reviewedBy ? `, reviewed by ${data.kyc.reviewedBy}` : ''}
            </p>
          )}
          <CurrentLimits limits={data.limits} title={`Limits (${data.limits.currency})`} />
          <h2>Self-exclusion</h2>
          <ExclusionState state={data.selfExclusion} />
        </div>
      )}
      <BonusGrantForm userId={userId} />
    </section>
  );
}
