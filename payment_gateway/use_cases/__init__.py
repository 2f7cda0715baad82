"""The payment gateway's workflows: ``topups`` (create, verify, settle), ``webhooks`` (apply provider events),
``payouts`` (send and look up), and ``gateway``, the facade the servicer holds."""
