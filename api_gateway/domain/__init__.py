"""The gateway's own domain: users, roles, the rules of registration and the ports its use cases need."""
