/** The people-facing message of a failed call: the error envelope's `message`, or a generic sentence. */
export function errorMessage(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error) {
    const message = (error as { message: unknown }).message;
    if (typeof message === 'string' && message.trim() !== '') return message;
  }
  if (error && typeof error === 'object' && 'detail' in error) return 'The request was not accepted.';
  return 'Something went wrong. Please try again.';
}

export function errorCode(error: unknown): string | null {
  if (error && typeof error === 'object' && 'error' in error) {
    const code = (error as { error: unknown }).error;
    if (typeof code === 'string') return code;
  }
  return null;
}
