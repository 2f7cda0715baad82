"""The gateway's application layer: ``accounts`` (register, sign in, the current user, the admin account) and
``directory`` (what other requests need to know about a user id)."""
