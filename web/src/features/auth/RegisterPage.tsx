import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { BusyButton } from '@/components/BusyButton';
import { ErrorAlert } from '@/components/ErrorAlert';
import { useSignIn } from '@/lib/auth/session';
import { useLogin, useRegister } from './api';

type AccountType = 'player' | 'organizer';

export function RegisterPage() {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<AccountType>('player');
  const register = useRegister();
  const login = useLogin();
  const signIn = useSignIn();
  const navigate = useNavigate();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const credentials = { email: email.trim(), password };
    try {
      await register.mutateAsync({ body: { name: name.trim(), ...credentials, role } });
      const { data } = await login.mutateAsync({ body: credentials });
      signIn(data.token, data.user);
      navigate('/wallet', { replace: true });
    } catch {
      /* the failed mutation's error is shown below */
    }
  }

  return (
    <section className="card narrow" aria-labelledby="register-heading">
      <h1 id="register-heading">Create an account</h1>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <div className="field">
          <label htmlFor="register-name">Name</label>
          <input
            id="register-name"
            autoComplete="name"
            required
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="register-email">Email</label>
          <input
            id="register-email"
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="register-password">Password</label>
          <input
            id="register-password"
            type="password"
            autoComplete="new-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </div>
        <fieldset className="field" role="radiogroup" aria-labelledby="account-type-legend">
          <legend id="account-type-legend">Account type</legend>
          {(['player', 'organizer'] as const).map((option) => (
            <label key={option} className="choice">
              <input
                type="radio"
                name="account-type"
                value={option}
                checked={role === option}
                onChange={() => setRole(option)}
              />
              {option === 'player' ? 'Player' : 'Organizer'}
            </label>
          ))}
        </fieldset>
        <ErrorAlert error={register.error ?? login.error} />
        <BusyButton type="submit" busy={register.isPending || login.isPending}>
          Create account
        </BusyButton>
      </form>
      <p>
        Already registered? <Link to="/login">Sign in</Link>
      </p>
    </section>
  );
}
