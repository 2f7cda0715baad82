import { act } from '@testing-library/react';

/** Two clicks in one task, before React can re-render the button as busy: the worst case of a double click. */
export function clickTwiceAtOnce(element: HTMLElement): void {
  act(() => {
    element.click();
    element.click();
  });
}
