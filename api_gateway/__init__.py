"""API gateway: the REST contract (FastAPI), authentication and webhooks, translated to gRPC calls."""
