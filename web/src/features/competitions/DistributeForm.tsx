import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { BusyButton } from '@/components/BusyButton';
import { ErrorAlert } from '@/components/ErrorAlert';
import { useIdempotencyKey } from '@/lib/idempotency';
import { useSingleFlight } from '@/lib/singleFlight';
import { useDistributeRewards, usePreviewRewards, type DistributeBody, type Distribution, type Entry, type Standing } from './api';
import { RewardsTable } from './RewardsTable';
import { checkStandings, rowsFromEntrants, type StandingRow } from './standings';

interface Prepared {
  matchId: string;
  body: DistributeBody;
  fingerprint: string;
}

function requestFor(competitionId: string, matchId: string, standings: Standing[]): Prepared {
  const body: DistributeBody = { competitionId, standings, template: null, shares: null, prizePool: null };
  return { matchId, body, fingerprint: JSON.stringify([matchId, body]) };
}

/**
 * "Distribute a match": the standings of one match of this competition, a preview of every payout and fee,
 * and only then "Pay winners" (the preview must be of exactly what is paid: any edit asks for a new one).
 */
export function DistributeForm({ competitionId, entrants }: { competitionId: string; entrants: Entry[] | undefined }) {
  const queryClient = useQueryClient();
  const preview = usePreviewRewards();
  const distribute = useDistributeRewards();
  const [name, setName] = useState('');
  const [rows, setRows] = useState<StandingRow[]>([{ userId: '', rank: '1' }]);
  const [formError, setFormError] = useState<string | null>(null);
  const [previewed, setPreviewed] = useState<{ fingerprint: string; distribution: Distribution } | null>(null);
  const [paid, setPaid] = useState<Distribution | null>(null);
  const idem = useIdempotencyKey({ name, rows, competitionId });
  const flight = useSingleFlight();

  const current = checkStandings(name, rows, competitionId);
  const request: Prepared | null = current.ok ? requestFor(competitionId, current.matchId, current.standings) : null;
  const previewIsCurrent = previewed !== null && previewed.fingerprint === request?.fingerprint;

  function prepare(): Prepared | null {
    setFormError(current.ok ? null : current.message);
    return request;
  }

  function forgetPayment() {
    setPaid(null);
    if (!distribute.isPending) distribute.reset();
  }

  function edit(next: StandingRow[]) {
    setRows(next);
    forgetPayment();
  }

  function updateRow(index: number, change: Partial<StandingRow>) {
    edit(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  }

  function runPreview(event: FormEvent) {
    event.preventDefault();
    const prepared = prepare();
    if (!prepared) return;
    preview.mutate(
      { params: { path: { match_id: prepared.matchId } }, body: prepared.body },
      { onSuccess: (reply) => setPreviewed({ fingerprint: prepared.fingerprint, distribution: reply.data }) },
    );
  }

  function pay() {
    const prepared = prepare();
    if (!prepared || prepared.fingerprint !== previewed?.fingerprint || !flight.start()) return;
    distribute.mutate(
      {
        params: { path: { match_id: prepared.matchId } },
        body: prepared.body,
        headers: { 'Idempotency-Key': idem.key() },
      },
      {
        onSuccess: (reply) => {
          idem.renew();
          setPaid(reply.data);
          void queryClient.invalidateQueries();
        },
        onSettled: flight.finish,
      },
    );
  }

  return (
    <form onSubmit={runPreview} noValidate aria-labelledby="distribute-heading">
      <h2 id="distribute-heading">Distribute a match</h2>
      <div className="field">
        <label htmlFor="match-name">Match name</label>
        <input
          id="match-name"
          value={name}
          aria-describedby="match-name-hint"
          onChange={(event) => {
            setName(event.target.value);
            forgetPayment();
          }}
        />
        <span id="match-name-hint" className="hint">
          Paid once per match: the match id is the name, &quot;@&quot; and this competition&apos;s id.
        </span>
      </div>
      <fieldset className="field">
        <legend>Standings</legend>
        {rows.map((row, index) => {
          const n = index + 1;
          return (
            <div className="filters standing-row" key={index}>
              <div className="field">
                <label htmlFor={`standing-user-${n}`}>User ID {n}</label>
                <input
                  id={`standing-user-${n}`}
                  value={row.userId}
                  onChange={(event) => updateRow(index, { userId: event.target.value })}
                />
              </div>
              <div className="field">
                <label htmlFor={`standing-rank-${n}`}>Rank {n}</label>
                <input
                  id={`standing-rank-${n}`}
                  inputMode="numeric"
                  value={row.rank}
                  onChange={(event) => updateRow(index, { rank: event.target.value })}
                />
              </div>
              <button
                type="button"
                className="secondary"
                aria-label={`Remove standing ${n}`}
                onClick={() => edit(rows.filter((_, i) => i !== index))}
              >
                Remove
              </button>
            </div>
          );
        })}
        <div className="actions">
          <button
            type="button"
            className="secondary"
            onClick={() => edit([...rows, { userId: '', rank: String(rows.length + 1) }])}
          >
            Add standing
          </button>
          <button
            type="button"
            className="secondary"
            disabled={!entrants || entrants.length === 0}
            onClick={() => entrants && edit(rowsFromEntrants(entrants))}
          >
            Fill from entrants
          </button>
        </div>
      </fieldset>
      {formError && (
        <p role="alert" className="alert">
          {formError}
        </p>
      )}
      <ErrorAlert error={preview.error} />
      <div className="actions">
        <BusyButton type="submit" className="secondary" busy={preview.isPending}>
          Preview payouts
        </BusyButton>
        <BusyButton
          busy={distribute.isPending}
          disabled={!previewIsCurrent || paid !== null}
          aria-describedby="pay-hint"
          onClick={pay}
        >
          Pay winners
        </BusyButton>
      </div>
      <p id="pay-hint" className="hint">
        {previewIsCurrent ? 'Check every payout and fee below before paying.' : 'Preview the payouts first.'}
      </p>
      {previewIsCurrent && !paid && <RewardsTable distribution={previewed.distribution} label="Payout preview" />}
      <ErrorAlert error={distribute.error} />
      {paid && (
        <>
          <p className="success" role="status">
            Rewards paid
          </p>
          <RewardsTable distribution={paid} label="Paid rewards" />
        </>
      )}
    </form>
  );
}
