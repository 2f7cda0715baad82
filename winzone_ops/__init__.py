"""Operator commands: the `winzone` CLI, the local supervisor, the demo, migrations, admin accounts and audits."""
