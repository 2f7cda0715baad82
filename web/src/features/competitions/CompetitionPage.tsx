import { useQueryClient } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { BusyButton } from '@/components/BusyButton';
import { ErrorAlert } from '@/components/ErrorAlert';
import { ProtectionHint } from '@/features/protection/ProtectionHint';
import { Loading } from '@/components/Loading';
import { Money } from '@/components/Money';
import { useCurrentUser } from '@/lib/auth/session';
import { useIdempotencyKey } from '@/lib/idempotency';
import { useSingleFlight } from '@/lib/singleFlight';
import { useCompetition, useEnter, type Competition } from './api';
import { ManagePanels } from './ManagePanels';

/** A player's "Enter": pays the competition's own entry fee once. */
function EnterPanel({ competition }: { competition: Competition }) {
  const queryClient = useQueryClient();
  const enter = useEnter();
  const idem = useIdempotencyKey({ id: competition._id });
  const flight = useSingleFlight();

  function submit() {
    if (!flight.start()) return;
    enter.mutate(
      {
        params: { path: { competition_id: competition._id }, header: { 'Idempotency-Key': idem.key() } },
        body: {},
      },
      {
        onSuccess: () => {
          idem.renew();
          void queryClient.invalidateQueries();
        },
        onSettled: flight.finish,
      },
    );
  }

  if (enter.isSuccess) {
    return (
      <p className="success" role="status">
        You have entered
      </p>
    );
  }
  return (
    <div className="card">
      <p>
        Entry fee <Money value={competition.entryFee} currency={competition.currency} />, paid from your wallet.
      </p>
      <ErrorAlert error={enter.error} />
      <ProtectionHint error={enter.error} />
      <BusyButton busy={enter.isPending} onClick={submit}>
        Enter
      </BusyButton>
    </div>
  );
}

/** /competitions/:id: the pool, fee, entries and status; Enter for players; the owner's tools. */
export function CompetitionPage() {
  const { id = '' } = useParams();
  const { user } = useCurrentUser();
  const query = useCompetition(id);
  const competition = query.data?.data;
  const manages = !!user && !!competition && (user.role === 'admin' || user._id === competition.organizerId);

  return (
    <section aria-labelledby="competition-heading">
      <h1 id="competition-heading">Competition {id}</h1>
      <ErrorAlert error={query.error} />
      {query.isPending && <Loading />}
      {competition && (
        <>
          <dl className="grid card">
            <div>
              <dt>Prize pool</dt>
              <dd className="stat">
                <Money value={competition.poolBalance} currency={competition.currency} testId="pool-balance" />
              </dd>
            </div>
            <div>
              <dt>Entry fee</dt>
              <dd className="stat">
                <Money value={competition.entryFee} currency={competition.currency} testId="entry-fee" />
              </dd>
            </div>
            <div>
              <dt>Entries</dt>
              <dd className="stat" data-testid="entries-count">
                {competition.entries}
              </dd>
            </div>
            <div>
              <dt>Status</dt>
              <dd className="stat" data-testid="competition-status">
                {competition.status}
              </dd>
            </div>
            <div>
              <dt>Prize template</dt>
              <dd>{competition.template}</dd>
            </div>
            <div>
              <dt>Organizer</dt>
              <dd>{competition.organizerId}</dd>
            </div>
          </dl>
          {user?.role === 'player' && competition.status === 'open' && <EnterPanel competition={competition} />}
          {user?.role === 'player' && competition.status !== 'open' && (
            <p className="muted">This competition is {competition.status}: it takes no more entries.</p>
          )}
          {manages && <ManagePanels competition={competition} />}
        </>
      )}
    </section>
  );
}
