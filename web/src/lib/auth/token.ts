/** The bearer token, kept in sessionStorage (one tab's sign-in; survives a refresh and the checkout round trip). */

const KEY = 'winzone.token';
const listeners = new Set<() => void>();

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export function getToken(): string | null {
  return storage()?.getItem(KEY) ?? null;
}

export function setToken(token: string | null): void {
  const store = storage();
  if (token) store?.setItem(KEY, token);
  else store?.removeItem(KEY);
  listeners.forEach((listener) => listener());
}

export function subscribeToken(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
