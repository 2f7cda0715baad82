"""The gateway's adapters: user stores (SQLite, MongoDB), argon2 password hashing and JWT bearer tokens."""
