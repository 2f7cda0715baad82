import type { ButtonHTMLAttributes } from 'react';

interface BusyButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  busy: boolean;
}

/** A money-moving button: disabled, aria-busy and "Working…" while its request is in flight. */
export function BusyButton({ busy, children, disabled, type = 'button', ...rest }: BusyButtonProps) {
  return (
    <button {...rest} type={type} disabled={busy || disabled} aria-busy={busy}>
      {busy ? 'Working…' : children}
    </button>
  );
}
