"""Payment gateway: top-up checkout sessions, provider webhooks and provider payouts (mock, Stripe)."""
