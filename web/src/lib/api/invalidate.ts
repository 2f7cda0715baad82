import type { QueryClient } from '@tanstack/react-query';

/** Refetch every cached GET whose path starts with one of `prefixes` (keys are [method, path, init]). */
export function invalidatePaths(client: QueryClient, prefixes: string[]): Promise<void> {
  return client.invalidateQueries({
    predicate: (query) => {
      const [method, path] = query.queryKey;
      return method === 'get' && typeof path === 'string' && prefixes.some((prefix) => path.startsWith(prefix));
    },
  });
}
