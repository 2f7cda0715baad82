import { useState } from 'react';
import { RouterProvider } from 'react-router';
import { setUnauthorizedHandler } from '@/lib/api/client';
import { AppProviders, createQueryClient } from './providers';
import { createAppRouter } from './router';

export function App() {
  const [client] = useState(createQueryClient);
  const [router] = useState(() => {
    const created = createAppRouter();
    setUnauthorizedHandler(() => {
      client.clear();
      void created.navigate('/login', { replace: true });
    });
    return created;
  });
  return (
    <AppProviders client={client}>
      <RouterProvider router={router} />
    </AppProviders>
  );
}
