import { formatMoney, type MoneyInput } from '@/lib/money';

/** A formatted amount; `testId` puts only the formatted text in the element (UI contract). */
export function Money({ value, currency, testId }: { value: MoneyInput; currency: string; testId?: string }) {
  return <span data-testid={testId}>{formatMoney(value, currency)}</span>;
}
