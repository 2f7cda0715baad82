"""Gateway users: accounts, roles and the user store port with its SQLite and MongoDB adapters."""
