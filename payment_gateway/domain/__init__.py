"""The payment gateway's domain, with no I/O.

``model`` (top-up sessions and their statuses), ``provider`` (checkout and payout outcomes), ``events``
(the webhook payload parser), ``errors``, ``references`` (our ids at the provider and in logs),
``wallet`` (the credit and the transaction it makes), ``mock_checkout`` (the mock provider's sessions)
and ``ports`` (every abstract port).
"""
