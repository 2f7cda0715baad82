import { useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { BusyButton } from '@/components/BusyButton';
import { ErrorAlert } from '@/components/ErrorAlert';
import { Loading } from '@/components/Loading';
import { Money } from '@/components/Money';
import { invalidatePaths } from '@/lib/api/invalidate';
import { formatDateTime } from '@/lib/dates';
import { minorToApiNumber, minorToDecimal, parseAmountInput, toMinor } from '@/lib/money';
import { useSingleFlight } from '@/lib/singleFlight';
import {
  EXCLUSION_DAYS,
  LIMIT_LABELS,
  LIMIT_NAMES,
  useLimits,
  useSelfExclude,
  useSelfExclusion,
  useSetLimits,
  type LimitName,
  type Limits,
  type SelfExclusion,
} from './api';

const CURRENCY = 'INR';
type LimitTexts = Record<LimitName, string>;
export type LimitsCheck = { ok: true; body: Record<LimitName, number | null> } | { ok: false; errors: Partial<LimitTexts> };

/** The edit form's texts as a PUT body (an empty field removes that limit). */
export function checkLimits(texts: LimitTexts, currency: string): LimitsCheck {
  const errors: Partial<LimitTexts> = {};
  const body = {} as Record<LimitName, number | null>;
  for (const name of LIMIT_NAMES) {
    const text = texts[name].trim();
    if (text === '') {
      body[name] = null;
      continue;
    }
    const check = parseAmountInput(text, currency);
    if (check.ok) body[name] = minorToApiNumber(check.minor, currency);
    else errors[name] = check.message;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, body };
}

const textsOf = (limits: Limits): LimitTexts => {
  const texts = {} as LimitTexts;
  for (const name of LIMIT_NAMES) {
    const value = limits[name];
    texts[name] = value === null ? '' : minorToDecimal(toMinor(value, limits.currency), limits.currency);
  }
  return texts;
};

/** Current limits, pending changes (with when they apply) and the edit form. */
export function LimitsPanel({ limits, onSaved }: { limits: Limits; onSaved: (message: string | null) => void }) {
  const [texts, setTexts] = useState<LimitTexts>(() => textsOf(limits));
  const [submitted, setSubmitted] = useState(false);
  const save = useSetLimits();
  const queryClient = useQueryClient();
  const flight = useSingleFlight();
  const check = checkLimits(texts, limits.currency);
  const errors = submitted && !check.ok ? check.errors : {};

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    onSaved(null);
    if (!check.ok || save.isPending || !flight.start()) return;
    save.mutate(
      { body: { currency: limits.currency, ...check.body } },
      {
        onSuccess: (response) => {
          onSaved(response.data.pending.length ? 'Saved. Some changes wait 24 hours (see pending changes).' : 'Saved.');
          void invalidatePaths(queryClient, ['/api/wallet/limits']);
        },
        onSettled: flight.finish,
      },
    );
  }

  return (
    <>
      <CurrentLimits limits={limits} title="Current limits" />
      <h2>Change limits</h2>
      <p className="hint">
        Lowering a limit (or setting a new one) applies at once. Raising or removing a limit waits 24 hours before
        it applies.
      </p>
      <form onSubmit={onSubmit} noValidate aria-label="Change limits">
        {LIMIT_NAMES.map((name) => (
          <div className="field" key={name}>
            <label htmlFor={`limit-input-${name}`}>
              {LIMIT_LABELS[name]} ({limits.currency})
            </label>
            <input
              id={`limit-input-${name}`}
              inputMode="decimal"
              value={texts[name]}
              aria-invalid={Boolean(errors[name])}
              aria-describedby={`limit-hint-${name}${errors[name] ? ` limit-error-${name}` : ''}`}
              onChange={(e) => setTexts({ ...texts, [name]: e.target.value })}
            />
            <span id={`limit-hint-${name}`} className="hint">
              Leave empty for no limit.
            </span>
            {errors[name] && (
              <span id={`limit-error-${name}`} className="field-error">
                {errors[name]}
              </span>
            )}
          </div>
        ))}
        <ErrorAlert error={save.error} />
        <BusyButton type="submit" busy={save.isPending}>
          Save limits
        </BusyButton>
      </form>
    </>
  );
}

/** The limits in force, then the pending changes. */
export function CurrentLimits({ limits, title }: { limits: Limits; title: string }) {
  const headingId = useId();
  return (
    <>
      <h2 id={headingId}>{title}</h2>
      <dl className="details" aria-labelledby={headingId}>
        {LIMIT_NAMES.map((name) => (
          <div key={name}>
            <dt>{LIMIT_LABELS[name]}</dt>
            <dd data-testid={`limit-${name}`}>
              {limits[name] === null ? 'No limit' : <Money value={limits[name]} currency={limits.currency} />}
            </dd>
          </div>
        ))}
      </dl>
      <PendingChanges limits={limits} />
    </>
  );
}

/** Raises and removals waiting out the 24-hour cooling-off. */
export function PendingChanges({ limits }: { limits: Limits }) {
  if (limits.pending.length === 0) return null;
  return (
    <>
      <h3>Pending changes</h3>
      <ul data-testid="pending-limits">
        {limits.pending.map((change) => (
          <li key={change.limit}>
            {LIMIT_LABELS[change.limit]}:{' '}
            {change.value === null ? 'removed' : <Money value={change.value} currency={limits.currency} />} from{' '}
            {formatDateTime(change.effectiveAt)}
          </li>
        ))}
      </ul>
    </>
  );
}

/** The self-exclusion state in words. */
export function ExclusionState({ state }: { state: SelfExclusion }) {
  if (!state.selfExcluded) return <p data-testid="self-exclusion-state">Not self-excluded.</p>;
  return (
    <p data-testid="self-exclusion-state">
      Self-excluded {state.permanent ? 'permanently' : `until ${state.until ? formatDateTime(state.until) : '—'}`}.
      Top-ups and contest entries are blocked; withdrawals still work.
    </p>
  );
}

/** Self-exclusion: a length (or permanent), then a confirmation ("cannot be undone"). */
export function SelfExclusionPanel({ state }: { state: SelfExclusion }) {
  const [choice, setChoice] = useState<string>('30');
  const [confirming, setConfirming] = useState(false);
  const exclude = useSelfExclude();
  const queryClient = useQueryClient();
  const flight = useSingleFlight();
  const length = choice === 'permanent' ? 'permanently' : `for ${choice} days`;

  function confirm() {
    if (exclude.isPending || !flight.start()) return;
    exclude.mutate(
      { body: choice === 'permanent' ? { permanent: true } : { days: Number(choice) } },
      {
        onSuccess: () => {
          setConfirming(false);
          void invalidatePaths(queryClient, ['/api/wallet/self-exclusion', '/api/wallet/limits']);
        },
        onSettled: flight.finish,
      },
    );
  }

  return (
    <>
      <h2>Self-exclusion</h2>
      <ExclusionState state={state} />
      {!state.permanent && (
        <form
          aria-label="Self-exclude"
          onSubmit={(event) => {
            event.preventDefault();
            setConfirming(true);
          }}
        >
          <div className="field">
            <label htmlFor="self-exclusion-length">{state.selfExcluded ? 'Extend to' : 'Exclude me'}</label>
            <select
              id="self-exclusion-length"
              value={choice}
              onChange={(e) => {
                setChoice(e.target.value);
                setConfirming(false);
              }}
            >
              {EXCLUSION_DAYS.map((days) => (
                <option key={days} value={String(days)}>
                  {days} days
                </option>
              ))}
              <option value="permanent">Permanently</option>
            </select>
          </div>
          {!confirming && <button type="submit">Self-exclude…</button>}
          {confirming && (
            <div role="group" aria-label="Confirm self-exclusion">
              <p className="alert">
                You will be excluded {length}. This cannot be undone: top-ups and contest entries stay blocked until
                it ends.
              </p>
              <BusyButton busy={exclude.isPending} onClick={confirm}>
                Yes, exclude me {length}
              </BusyButton>{' '}
              <button type="button" className="secondary" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </div>
          )}
          <ErrorAlert error={exclude.error} />
        </form>
      )}
    </>
  );
}

/** /wallet/limits: deposit and entry limits, and self-exclusion. */
export function LimitsPage() {
  const limits = useLimits(CURRENCY);
  const exclusion = useSelfExclusion();
  const [saved, setSaved] = useState<string | null>(null);
  return (
    <section aria-labelledby="limits-heading">
      <h1 id="limits-heading">Limits &amp; self-exclusion</h1>
      <div className="card narrow-wide">
        {(limits.isPending || exclusion.isPending) && <Loading />}
        <ErrorAlert error={limits.error ?? exclusion.error} />
        {saved && (
          <p className="success" role="status">
            {saved}
          </p>
        )}
        {limits.data && (
          <LimitsPanel key={JSON.stringify(limits.data.data)} limits={limits.data.data} onSaved={setSaved} />
        )}
        {exclusion.data && <SelfExclusionPanel state={exclusion.data.data} />}
      </div>
    </section>
  );
}
