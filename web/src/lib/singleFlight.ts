import { useMemo, useRef } from 'react';

/**
 * A synchronous guard for one money-moving action: `start()` is false while an earlier start has not
 * `finish()`ed. It closes the gap between a click and the re-render that disables the button (a double click
 * lands in that gap).
 */
export function useSingleFlight(): { start: () => boolean; finish: () => void } {
  const busy = useRef(false);
  return useMemo(
    () => ({
      start: () => {
        if (busy.current) return false;
        busy.current = true;
        return true;
      },
      finish: () => {
        busy.current = false;
      },
    }),
    [],
  );
}
