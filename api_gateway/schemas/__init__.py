"""The REST contract as pydantic models: what the OpenAPI document says each operation takes and answers.

``requests`` holds bodies and query strings, ``responses`` the success envelopes, ``errors`` the error
envelope and the codes each operation can answer with, and ``openapi`` puts them on the routes and builds the
document. Requests are still parsed by ``api_gateway.body`` and ``api_gateway.query`` (exact decimals,
duplicate keys refused, 400 never 422); these models describe that parsing, they do not replace it.
"""
