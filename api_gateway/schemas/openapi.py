"""The OpenAPI document: request bodies, query strings and headers on the routes, and the app that builds it.

FastAPI derives responses, path parameters and security from the routes; request bodies and query strings
are read by the strict parsers (``api_gateway.body``, ``api_gateway.query``), so the routes declare them with
``openapi_extra=documented(...)``, generated from the models in ``requests``. ``DocumentedAPI`` adds those
models as components, drops the ``422`` FastAPI would list (validation failures are ``400``), and documents
the ``X-Request-ID`` header every response carries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Security
from fastapi.params import Depends
from fastapi.security import HTTPBearer
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from api_gateway.schemas.errors import ErrorEnvelope
from api_gateway.schemas.requests import REQUEST_BODIES
from winzone_kernel.logs import REQUEST_ID_HEADER

COMPONENTS = "#/components/schemas/{model}"

BEARER = HTTPBearer(auto_error=False, scheme_name="bearerAuth", bearerFormat="JWT",
                    description="`Authorization: Bearer <token>` from `POST /api/auth/login`.")
AUTHENTICATED: list[Depends] = [Security(BEARER)]
"""``dependencies=`` of a route that needs a signed-in user: documents the bearer scheme on it (the check itself
is ``context.principal``, which answers 401 with the envelope)."""


@dataclass(frozen=True, slots=True)
class Header:
    """A request header an operation reads."""

    name: str
    schema: dict[str, Any]
    description: str
    required: bool = False

    def parameter(self) -> dict[str, Any]:
        return {"name": self.name, "in": "header", "required": self.required, "schema": self.schema,
                "description": self.description}


REQUEST_ID = Header(REQUEST_ID_HEADER, {"type": "string"},
                    "Kept as the request's id in every service's logs when it is 8-64 ASCII letters and digits; "
                    "anything else is replaced by a new id.")
RESPONSE_REQUEST_ID = {"description": "The request's id: the caller's, or a new one.",
                       "schema": {"type": "string", "pattern": "^[A-Za-z0-9]{8,64}$"}}


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query field's schema: ``X | None`` means "may be left out", which a query string says by omission."""
    options = [s for s in schema.get("anyOf", ()) if s != {"type": "null"}]
    plain = dict(options[0]) if len(options) == 1 else dict(schema)
    plain.update({k: v for k, v in schema.items() if k in ("default", "description", "examples")})
    plain.pop("anyOf", None)
    if plain.get("default", ...) is None:
        del plain["default"]
    return plain


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """Each field of ``model`` as a query parameter, with its limits."""
    schema = model.model_json_schema()
    required = set(schema.get("required", ()))
    parameters = []
    for name, field in schema["properties"].items():
        field = _without_null({k: v for k, v in field.items() if k != "title"})
        parameter = {"name": name, "in": "query", "required": name in required, "schema": field}
        if "description" in field:
            parameter["description"] = field.pop("description")
        parameters.append(parameter)
    return parameters


def documented(
    *,
    body: type[BaseModel] | None = None,
    body_required: bool = True,
    query: type[BaseModel] | None = None,
    headers: Sequence[Header] = (),
    raw_body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``openapi_extra`` of a route: its JSON body (a model in ``REQUEST_BODIES``), query and headers."""
    extra: dict[str, Any] = {}
    parameters = [*(query_parameters(query) if query else ()), *(h.parameter() for h in headers)]
    if parameters:
        extra["parameters"] = parameters
    if body is not None:
        schema: dict[str, Any] = {"$ref": COMPONENTS.format(model=body.__name__)}
        extra["requestBody"] = {"required": body_required, "content": {"application/json": {"schema": schema}}}
    elif raw_body is not None:
        extra["requestBody"] = {"required": True, "content": {"application/json": {"schema": raw_body}}}
    return extra


def _component_schemas() -> dict[str, Any]:
    components: tuple[type[BaseModel], ...] = (*REQUEST_BODIES, ErrorEnvelope)
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [(model, "validation") for model in components]
    _, schemas = models_json_schema(models, ref_template=COMPONENTS)
    defs: dict[str, Any] = schemas.get("$defs", {})
    for component in defs.values():
        for field in component.get("properties", {}).values():
            if field.get("default", ...) is None and {"type": "null"} not in field.get("anyOf", ()):
                del field["default"]
    return defs


def _finish(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas.update(_component_schemas())
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            operation.setdefault("parameters", []).append(REQUEST_ID.parameter())
            responses = operation.get("responses", {})
            responses.pop("422", None)
            for response in responses.values():
                response.setdefault("headers", {})[REQUEST_ID.name] = RESPONSE_REQUEST_ID
    return document


class DocumentedAPI(FastAPI):
    """The gateway's FastAPI application, whose ``/openapi.json`` is the REST contract (see module docstring)."""

    _documented: dict[str, Any] | None = None

    def openapi(self) -> dict[str, Any]:
        document = super().openapi()
        if document is not self._documented:
            self._documented = _finish(document)
        return document
