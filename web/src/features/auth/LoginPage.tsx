import { useState, type FormEvent } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { ErrorAlert } from '@/components/ErrorAlert';
import { BusyButton } from '@/components/BusyButton';
import { homePathFor } from '@/lib/auth/home';
import { useSignIn, useToken } from '@/lib/auth/session';
import { useLogin } from './api';

function safeReturnPath(state: unknown): string | null {
  const from = (state as { from?: unknown } | null)?.from;
  return typeof from === 'string' && from.startsWith('/') && !from.startsWith('//') ? from : null;
}

export function LoginPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const login = useLogin();
  const signIn = useSignIn();
  const navigate = useNavigate();
  const location = useLocation();
  const token = useToken();

  if (token && !login.isPending && !login.isSuccess) return <Navigate to="/" replace />;

  function submit(event: FormEvent) {
    event.preventDefault();
    login.mutate(
      { body: { email: email.trim(), password } },
      {
        onSuccess: ({ data }) => {
          signIn(data.token, data.user);
          navigate(safeReturnPath(location.state) ?? homePathFor(data.user.role), { replace: true });
        },
      },
    );
  }

  return (
    <section className="card narrow" aria-labelledby="sign-in-heading">
      <h1 id="sign-in-heading">Sign in</h1>
      <form onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="login-email">Email</label>
          <input
            id="login-email"
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </div>
        <ErrorAlert error={login.error} />
        <BusyButton type="submit" busy={login.isPending}>
          Sign in
        </BusyButton>
      </form>
      <p>
        New here? <Link to="/register">Create an account</Link>
      </p>
    </section>
  );
}
