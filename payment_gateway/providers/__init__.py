"""Payment provider adapters behind one port.

``port`` defines :class:`~payment_gateway.providers.port.PaymentProvider` (checkout, payouts, webhooks)
with its value types and errors; ``mock`` and ``stripe_provider`` implement it; ``signatures`` holds the
Stripe-compatible webhook signing both adapters and the tests share. Nothing here touches gRPC or a
database: the mock keeps its state behind an injected ``MockCheckoutState`` port.
"""
