import { useEffect, useState, type FormEvent } from 'react';
import { AmountField } from '@/components/AmountField';
import { BusyButton } from '@/components/BusyButton';
import { ErrorAlert } from '@/components/ErrorAlert';
import { ProtectionHint } from '@/features/protection/ProtectionHint';
import { boundsFor, currenciesOf, usePlatformConfig } from '@/lib/api/config';
import type { Currency } from '@/lib/api/types';
import { useIdempotencyKey } from '@/lib/idempotency';
import { useSingleFlight } from '@/lib/singleFlight';
import { minorToApiNumber, parseAmountInput } from '@/lib/money';
import { useStartTopUp } from './api';

/** Navigation to the provider's checkout page (a module function so tests can observe it). */
export const checkoutNavigation = { go: (url: string) => window.location.assign(url) };

export function TopUpPage() {
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState<Currency>('INR');
  const [submitted, setSubmitted] = useState(false);
  const [leaving, setLeaving] = useState(false);
  const config = usePlatformConfig();
  const start = useStartTopUp();
  const bounds = boundsFor(config.data?.data, currency, 'topup');
  const check = parseAmountInput(amount, currency, bounds ?? {});
  const idem = useIdempotencyKey({ amount: amount.trim(), currency });
  const flight = useSingleFlight();

  useEffect(() => {
    const back = (event: PageTransitionEvent) => {
      if (event.persisted) {
        flight.finish();
        setLeaving(false);
      }
    };
    window.addEventListener('pageshow', back);
    return () => window.removeEventListener('pageshow', back);
  }, [flight]);

  function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    if (!check.ok || start.isPending || leaving || !flight.start()) return;
    start.mutate(
      {
        body: { amount: minorToApiNumber(check.minor, currency), currency },
        params: { header: { 'Idempotency-Key': idem.key() } },
      },
      {
        onSuccess: ({ data }) => {
          idem.renew();
          setLeaving(true);
          checkoutNavigation.go(data.checkoutUrl);
        },
        onSettled: flight.finish,
      },
    );
  }

  const currencies = currenciesOf(config.data?.data, 'topup');
  return (
    <section aria-labelledby="topup-heading" className="card narrow-wide">
      <h1 id="topup-heading">Top up</h1>
      <p>Add money to your wallet. You pay on the provider&apos;s checkout page and come back here.</p>
      <form onSubmit={submit} noValidate>
        {currencies.length > 1 && (
          <div className="field">
            <label htmlFor="topup-currency">Currency</label>
            <select id="topup-currency" value={currency} onChange={(event) => setCurrency(event.target.value as Currency)}>
              {currencies.map((code) => (
                <option key={code} value={code}>
                  {code}
                </option>
              ))}
            </select>
          </div>
        )}
        <AmountField
          value={amount}
          onChange={setAmount}
          currency={currency}
          bounds={bounds}
          error={submitted && !check.ok ? check.message : null}
        />
        {config.isError && (
          <p className="muted">The limits could not be loaded; they are checked when you continue.</p>
        )}
        <ErrorAlert error={start.error} />
        <ProtectionHint error={start.error} />
        <BusyButton type="submit" busy={start.isPending || leaving}>
          Continue to checkout
        </BusyButton>
      </form>
    </section>
  );
}
