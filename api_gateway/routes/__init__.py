"""REST routes, one module per area of API.md."""
