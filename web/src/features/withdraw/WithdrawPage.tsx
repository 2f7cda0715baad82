import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { AmountField } from '@/components/AmountField';
import { BusyButton } from '@/components/BusyButton';
import { ErrorAlert } from '@/components/ErrorAlert';
import { ProtectionHint } from '@/features/protection/ProtectionHint';
import { Money } from '@/components/Money';
import { useWallet } from '@/features/wallet/api';
import { boundsFor, usePlatformConfig } from '@/lib/api/config';
import { invalidatePaths } from '@/lib/api/invalidate';
import { useIdempotencyKey } from '@/lib/idempotency';
import { useSingleFlight } from '@/lib/singleFlight';
import { formatMinor, minorToApiNumber, parseAmountInput, toMinor } from '@/lib/money';
import { useRequestPayout } from './api';
import { MethodFieldset } from './MethodFieldset';
import { EMPTY_FIELDS, checkMethod, type MethodFields, type MethodType } from './methods';
import { MyWithdrawals } from './MyWithdrawals';
import { TdsEstimate } from './TdsEstimate';

const CURRENCY = 'INR';

export function WithdrawPage() {
  const [amount, setAmount] = useState('');
  const [type, setType] = useState<MethodType>('upi');
  const [fields, setFields] = useState<MethodFields>(EMPTY_FIELDS);
  const [submitted, setSubmitted] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const config = usePlatformConfig();
  const wallet = useWallet(CURRENCY);
  const request = useRequestPayout();
  const queryClient = useQueryClient();
  const bounds = boundsFor(config.data?.data, CURRENCY, 'payout');
  const amountCheck = parseAmountInput(amount, CURRENCY, bounds ?? {});
  const methodCheck = checkMethod(type, fields);
  const idem = useIdempotencyKey({ amount: amount.trim(), type, fields });
  const available = wallet.data?.data.withdrawable;
  const taxed = (config.data?.data.tdsRate ?? 0) > 0;
  const flight = useSingleFlight();

  const overAvailable = amountCheck.ok && available !== undefined && amountCheck.minor > toMinor(available, CURRENCY);
  let amountError = submitted && !amountCheck.ok ? amountCheck.message : null;
  if (submitted && overAvailable) {
    amountError = `You have ${formatMinor(toMinor(available, CURRENCY), CURRENCY)} available.`;
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    setDone(null);
    if (!amountCheck.ok || !methodCheck.ok || amountError || request.isPending || !flight.start()) return;
    const minor = amountCheck.minor;
    request.mutate(
      {
        body: { amount: minorToApiNumber(minor, CURRENCY), currency: CURRENCY, method: methodCheck.method },
        params: { header: { 'Idempotency-Key': idem.key() } },
      },
      {
        onSuccess: () => {
          idem.renew();
          setDone(`Withdrawal of ${formatMinor(minor, CURRENCY)} requested. The amount is held until it is paid.`);
          setSubmitted(false);
          setAmount('');
          void invalidatePaths(queryClient, ['/api/wallet', '/api/transactions']);
        },
        onSettled: flight.finish,
      },
    );
  }

  return (
    <section aria-labelledby="withdraw-heading">
      <h1 id="withdraw-heading">Withdraw</h1>
      <div className="card narrow-wide">
        {available !== undefined && (
          <p>
            Available to withdraw: <Money value={available} currency={CURRENCY} testId="withdraw-available" />
          </p>
        )}
        <form onSubmit={submit} noValidate>
          <AmountField value={amount} onChange={setAmount} currency={CURRENCY} bounds={bounds} error={amountError} />
          <MethodFieldset
            type={type}
            onType={setType}
            fields={fields}
            onFields={setFields}
            errors={submitted && !methodCheck.ok ? methodCheck.errors : {}}
          />
          {taxed && <TdsEstimate minor={amountCheck.ok && !overAvailable ? amountCheck.minor : null} currency={CURRENCY} />}
          {submitted && (!amountCheck.ok || !methodCheck.ok || amountError) && (
            <p role="alert" className="alert">
              Please correct the highlighted fields.
            </p>
          )}
          <ErrorAlert error={request.error} />
          <ProtectionHint error={request.error} />
          {done && (
            <p role="status" className="success">
              {done}
            </p>
          )}
          <BusyButton type="submit" busy={request.isPending}>
            Request withdrawal
          </BusyButton>
        </form>
      </div>
      <MyWithdrawals />
    </section>
  );
}
