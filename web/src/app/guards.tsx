import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import type { Role } from '@/lib/api/types';
import { useCurrentUser } from '@/lib/auth/session';
import { homePathFor } from '@/lib/auth/home';
import { Loading } from '@/components/Loading';

/** Renders its children for a signed-in user; otherwise sends the visitor to /login. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { signedIn, user, isLoading } = useCurrentUser();
  const location = useLocation();
  if (!signedIn) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  if (isLoading || !user) return <Loading />;
  return children;
}

/** Renders its children only for the given roles (nothing of theirs is fetched otherwise). */
export function RequireRole({ roles, children }: { roles: Role[]; children: ReactNode }) {
  const { user } = useCurrentUser();
  if (!user) return <Loading />;
  if (!roles.includes(user.role)) {
    return (
      <section aria-labelledby="not-allowed-heading">
        <h1 id="not-allowed-heading">Not allowed</h1>
        <p>This page is for {roles.join(' or ')} accounts. You are signed in as {user.role}.</p>
      </section>
    );
  }
  return children;
}

/** `/`: the wallet (admins: the payout queue) when signed in, else /login. */
export function HomeRedirect() {
  const { signedIn, user, isLoading } = useCurrentUser();
  if (!signedIn) return <Navigate to="/login" replace />;
  if (isLoading || !user) return <Loading />;
  return <Navigate to={homePathFor(user.role)} replace />;
}
