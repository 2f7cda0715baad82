import { NavLink, Outlet, useNavigate } from 'react-router';
import { useCurrentUser, useSignOut } from '@/lib/auth/session';
import { navItems } from './nav';

/** The signed-in shell: header with the main navigation, the user and "Sign out"; the page in <main>. */
export function AppLayout() {
  const { user } = useCurrentUser();
  const signOut = useSignOut();
  const navigate = useNavigate();
  const items = navItems.filter((item) => !item.roles || (user && item.roles.includes(user.role)));

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">WinZone</span>
        <nav aria-label="Main">
          <ul>
            {items.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="whoami">
          {user && (
            <>
              <span>
                {user.name} <span className="role">({user.role})</span>
              </span>
              <span className="user-id">
                ID <span data-testid="current-user-id">{user._id}</span>
              </span>
            </>
          )}
          <button
            type="button"
            className="secondary"
            onClick={() => {
              signOut();
              navigate('/login', { replace: true });
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}

/** The signed-out shell (sign in, register). */
export function PublicLayout() {
  return (
    <div className="shell public">
      <header className="topbar">
        <span className="brand">WinZone</span>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
