"""The API's documentation page, rendered on the server from the OpenAPI description: no script and
no CDN, readable with a screen reader and without JavaScript. Who may use it: everyone."""

from __future__ import annotations

import threading
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from drf_spectacular.generators import SchemaGenerator

from deltaregio.api.base import in_request_language
from deltaregio.api.errors import error_body

_cache: dict[str, dict[str, Any]] = {}
_lock = threading.Lock()
METHODS = ("get", "head", "options", "post", "put", "patch", "delete")


def openapi_schema() -> dict[str, Any]:
    """The OpenAPI description in the active language, generated once per language and process."""
    language = get_language() or ""
    with _lock:
        if language not in _cache:
            _cache[language] = SchemaGenerator().get_schema(request=None, public=True)
        return _cache[language]


def describe_type(schema: dict[str, Any]) -> tuple[str, str | None]:
    """A short text for a schema ("string (date)", "array of Project") and the component it names."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return name, name
    for combinator in ("allOf", "oneOf", "anyOf"):
        if combinator in schema:
            parts = [describe_type(part) for part in schema[combinator]]
            refs = [ref for _text, ref in parts if ref]
            text = " | ".join(text for text, _ref in parts)
            return (f"{text} | null" if schema.get("nullable") else text), (refs[0] if refs else None)
    kind = schema.get("type", "object")
    if kind == "array":
        text, ref = describe_type(schema.get("items", {}))
        return _("array of %(type)s") % {"type": text}, ref
    text = str(kind)
    if schema.get("format"):
        text += f" ({schema['format']})"
    if schema.get("enum"):
        text += ": " + ", ".join(str(v) for v in schema["enum"] if v not in ("", None))
    if schema.get("nullable"):
        text += " | null"
    return text, None


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    sections: dict[str, list[dict[str, Any]]] = {}
    for route, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            parameters = []
            for parameter in operation.get("parameters", []):
                text, ref = describe_type(parameter.get("schema", {}))
                parameters.append({**parameter, "type": text, "ref": ref})
            responses = []
            for code, response in operation.get("responses", {}).items():
                body = response.get("content", {}).get("application/json", {}).get("schema", {})
                text, ref = describe_type(body) if body else ("", None)
                responses.append(
                    {"code": code, "description": response.get("description", ""), "type": text, "ref": ref}
                )
            tag = (operation.get("tags") or ["api"])[0]
            sections.setdefault(tag, []).append(
                {
                    "id": operation.get("operationId", f"{method}-{route}"),
                    "method": method.upper(),
                    "path": route,
                    "description": operation.get("description", ""),
                    "parameters": parameters,
                    "responses": responses,
                }
            )
    return [{"tag": tag, "operations": ops} for tag, ops in sections.items()]


def _components(schema: dict[str, Any]) -> list[dict[str, Any]]:
    result = []
    for name, component in sorted(schema.get("components", {}).get("schemas", {}).items()):
        required = set(component.get("required", []))
        properties = []
        for prop_name, prop in component.get("properties", {}).items():
            text, ref = describe_type(prop)
            properties.append(
                {
                    "name": prop_name,
                    "type": text,
                    "ref": ref,
                    "required": prop_name in required,
                    "description": prop.get("description", ""),
                }
            )
        text, _ref = describe_type(component) if not properties else ("object", None)
        result.append(
            {
                "name": name,
                "description": component.get("description", ""),
                "type": text,
                "properties": properties,
            }
        )
    return result


@require_safe
@in_request_language
def api_docs(request: HttpRequest) -> HttpResponse:
    schema = openapi_schema()
    context = {
        "info": schema.get("info", {}),
        "sections": _operations(schema),
        "components": _components(schema),
    }
    return render(request, "api/docs.html", context)


@in_request_language
def api_not_found(request: HttpRequest) -> JsonResponse:
    """Any other path under /api/v1/: 404 in the API's error format."""
    return JsonResponse(error_body("not_found", _("There is no API endpoint at this address.")), status=404)
