import { useCallback, useRef } from 'react';

function newKey(): string {
  return `web-${crypto.randomUUID()}`;
}

export interface IdempotencyKey {
  /** The key of the current action: the same across retries and double clicks until renewed. */
  key: () => string;
  /** Start a new action (after success, or when the input changed). */
  renew: () => void;
}

/**
 * One Idempotency-Key per user action. `input` is what the action sends: when it changes, the next
 * `key()` is a new key; after a success, call `renew()`.
 */
export function useIdempotencyKey(input?: unknown): IdempotencyKey {
  const state = useRef<{ key: string | null; input: string }>({ key: null, input: '' });
  const fingerprint = JSON.stringify(input ?? null, (_name, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value);
  const key = useCallback(() => {
    const current = state.current;
    if (current.key === null || current.input !== fingerprint) {
      current.key = newKey();
      current.input = fingerprint;
    }
    return current.key;
  }, [fingerprint]);
  const renew = useCallback(() => {
    state.current.key = null;
  }, []);
  return { key, renew };
}
