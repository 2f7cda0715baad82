import { renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useIdempotencyKey } from './idempotency';

describe('useIdempotencyKey', () => {
  it('keeps one key across retries of the same action', () => {
    const { result } = renderHook(({ input }) => useIdempotencyKey(input), { initialProps: { input: { amount: '10' } } });
    const first = result.current.key();
    expect(first).toMatch(/^[A-Za-z0-9_.:@-]{1,64}$/);
    expect(result.current.key()).toBe(first);
  });

  it('makes a new key when the input changes', () => {
    const { result, rerender } = renderHook(({ input }) => useIdempotencyKey(input), {
      initialProps: { input: { amount: '10' } },
    });
    const first = result.current.key();
    rerender({ input: { amount: '10' } });
    expect(result.current.key()).toBe(first);
    rerender({ input: { amount: '11' } });
    const second = result.current.key();
    expect(second).not.toBe(first);
    rerender({ input: { amount: '10' } });
    expect(result.current.key()).not.toBe(first);
  });

  it('makes a new key after renew (a success)', () => {
    const { result } = renderHook(() => useIdempotencyKey({ amount: 5n }));
    const first = result.current.key();
    result.current.renew();
    const second = result.current.key();
    expect(second).not.toBe(first);
    expect(result.current.key()).toBe(second);
  });
});

describe('useSingleFlight', () => {
  it('refuses a second start until the first finishes', async () => {
    const { useSingleFlight } = await import('./singleFlight');
    const { result, rerender } = renderHook(() => useSingleFlight());
    const first = result.current;
    expect(first.start()).toBe(true);
    expect(first.start()).toBe(false);
    rerender();
    expect(result.current).toBe(first);
    first.finish();
    expect(first.start()).toBe(true);
  });
});
