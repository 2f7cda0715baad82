import { Link } from 'react-router';

export function TopUpCancelPage() {
  return (
    <section aria-labelledby="topup-cancel-heading">
      <h1 id="topup-cancel-heading">Top-up cancelled</h1>
      <p>Nothing was charged.</p>
      <p>
        <Link to="/wallet/topup">Start a new top-up</Link> or <Link to="/wallet">go back to your wallet</Link>.
      </p>
    </section>
  );
}
