import { api } from './client';
import type { components } from './schema';

export type PlatformConfig = components['schemas']['PlatformConfig'];
export type Bounds = components['schemas']['Bounds'];

/** GET /api/config (public, rarely changes): currencies with minor digits and top-up/payout bounds, fees. */
export function usePlatformConfig() {
  return api.useQuery('get', '/api/config', {}, { staleTime: 5 * 60_000, retry: false });
}

/** The bounds of one top-up or payout in `currency`, or null when the config is absent or has none. */
export function boundsFor(config: PlatformConfig | undefined, currency: string, kind: 'topup' | 'payout'): Bounds | null {
  const entry = config?.currencies.find((item) => item.code === currency);
  return entry?.[kind] ?? null;
}

export function currenciesOf(config: PlatformConfig | undefined, kind: 'topup' | 'payout'): string[] {
  const codes = config?.currencies.filter((item) => item[kind] !== null).map((item) => item.code);
  return codes && codes.length > 0 ? codes : ['INR'];
}
