"""The OpenAPI description: the committed openapi.yaml is what the code generates (drift check), it
is served publicly with a documentation page that needs no CDN, every operation documents the error
format, and the API's real answers validate against it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from drf_spectacular.management.commands.spectacular import SchemaGenerationError

from deltaregio.api import urls as api_urls

COMMITTED = Path(__file__).resolve().parents[2] / "openapi.yaml"
REGENERATE = (
    "cd to the repository root and run: .venv/bin/deltaregio spectacular --file openapi.yaml --validate"
)


def own_routes(spec: dict[str, Any]) -> dict[str, Any]:
    """The paths of this module's router: other domains add their own endpoints under /api/v1/."""
    prefixes = tuple(f"/api/v1/{prefix}/" for prefix, _viewset, _basename in api_urls.router.registry)
    return {route: item for route, item in spec["paths"].items() if route.startswith(prefixes)}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))


def generate(path: Path, *options: str) -> None:
    # The command runs in the default language; so does this, whatever an earlier test activated.
    with translation.override(settings.LANGUAGE_CODE):
        call_command("spectacular", "--file", str(path), "--validate", *options)


def test_committed_openapi_yaml_is_what_the_code_generates(tmp_path: Path) -> None:
    generated = tmp_path / "openapi.yaml"
    generate(generated)
    assert COMMITTED.exists(), f"openapi.yaml is missing; {REGENERATE}"
    assert generated.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8"), (
        f"openapi.yaml differs from the API the code describes; {REGENERATE}"
    )


def test_the_schema_is_generated_without_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        generate(tmp_path / "openapi.yaml", "--fail-on-warn")
    except SchemaGenerationError:
        warnings = [line for line in capsys.readouterr().err.splitlines() if "Warning" in line]
        pytest.fail("drf-spectacular warns (fix the serializer or view it names):\n" + "\n".join(warnings))


def test_every_endpoint_is_described(spec: dict[str, Any]) -> None:
    paths = set(spec["paths"])
    for prefix, viewset, _basename in api_urls.router.registry:
        assert f"/api/v1/{prefix}/" in paths
        details = [p for p in paths if re.fullmatch(rf"/api/v1/{prefix}/\{{\w+\}}/", p)]
        assert len(details) == (1 if hasattr(viewset, "retrieve") else 0), prefix
    assert all(set(item) == {"get"} for item in own_routes(spec).values()), "these endpoints are read-only"


def test_every_operation_documents_the_error_format_and_who_may_use_it(spec: dict[str, Any]) -> None:
    error = spec["components"]["schemas"]["Error"]
    assert error["properties"]["error"] == {"$ref": "#/components/schemas/ErrorBody"}
    assert set(spec["components"]["schemas"]["ErrorBody"]["properties"]) == {"code", "message", "fields"}
    permissions = {
        f"/api/v1/{prefix}/": getattr(viewset, "permission_required", None)
        for prefix, viewset, _ in api_urls.router.registry
    }
    for route, item in own_routes(spec).items():
        operation = item["get"]
        responses = operation["responses"]
        perm = permissions[re.sub(r"\{[^}]+\}/$", "", route)]
        assert f"(`{perm}`)" in operation["description"], route
        for code in ("400", *(["404"] if "{" in route else [])):
            schema = responses[code]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (route, code)
        restricted = route.startswith("/api/v1/people/")
        assert ("401" in responses and "403" in responses) == restricted, route


def test_schema_and_documentation_are_public_and_need_no_cdn(anon: Client) -> None:
    schema = anon.get("/api/v1/schema/", {"format": "json"})
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    assert "/api/v1/projects/{slug}/" in schema.json()["paths"]
    assert anon.get("/api/v1/schema/").content.startswith(b"openapi: 3.")  # YAML by default

    docs = anon.get("/api/v1/docs/", HTTP_ACCEPT_LANGUAGE="en")
    assert docs.status_code == 200 and docs["Content-Type"].startswith("text/html")
    html = docs.content.decode()
    assert '<html lang="en">' in html
    assert "<script" not in html and " src=" not in html, "the page loads nothing from elsewhere"
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith(("#", "/")), href
    for path in ("/api/v1/projects/{slug}/", "/api/v1/disagreements/", "/api/v1/people/"):
        assert path in html
    ids = re.findall(r'id="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "element ids are unique"
    for target in re.findall(r'href="#([^"]+)"', html):
        assert target in ids, f"link to a missing anchor #{target}"


def test_unknown_api_paths_answer_in_the_error_format(anon: Client) -> None:
    response = anon.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- the API's answers validate against the description ------------------------------------------


def json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema objects as JSON Schema: `nullable` becomes a null alternative, and
    oneOf becomes anyOf (an empty string is both "a URI" without format checking and "empty")."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {("anyOf" if k == "oneOf" else k): json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def validator(spec: dict[str, Any], route: str, code: str = "200") -> jsonschema.Draft202012Validator:
    body = spec["paths"][route]["get"]["responses"][code]["content"]["application/json"]["schema"]
    schema = {**json_schema(body), "components": json_schema(spec["components"])}
    return jsonschema.Draft202012Validator(schema)


def test_every_list_and_detail_answer_validates(
    spec: dict[str, Any], anon: Client, officer_client: Client
) -> None:
    checked = 0
    for route in own_routes(spec):
        client = officer_client if route.startswith("/api/v1/people/") else anon
        if "{" not in route:
            body = client.get(route, {"page_size": settings.MAX_PAGE_SIZE}).json()
            assert body["results"], route
            errors = [e.message for e in validator(spec, route).iter_errors(body)]
            assert errors == [], (route, errors[:3])
            checked += 1
    assert checked == len(api_urls.router.registry)
    for route, value in [
        ("/api/v1/projects/{slug}/", "fokus"),
        ("/api/v1/themes/{code}/", "hydrogen"),
        ("/api/v1/budget-tables/{code}/", "nxtgen-table-6"),
        ("/api/v1/calls/{code}/", "interreg-vl-nl-call-3"),
        ("/api/v1/summits/{number}/", "5"),
    ]:
        body = anon.get(re.sub(r"\{[^}]+\}", value, route)).json()
        errors = [e.message for e in validator(spec, route).iter_errors(body)]
        assert errors == [], (route, errors[:3])


def test_error_answers_validate(spec: dict[str, Any], anon: Client) -> None:
    cases = [
        ("/api/v1/projects/", {"status": "nope"}, "400"),
        ("/api/v1/projects/", {"bogus": "1"}, "400"),
        ("/api/v1/projects/", {"page": "0"}, "400"),
        ("/api/v1/people/", {}, "401"),
    ]
    for route, params, code in cases:
        response = anon.get(route, params)
        assert str(response.status_code) == code
        assert list(validator(spec, route, code).iter_errors(response.json())) == []
    missing = anon.get("/api/v1/projects/nope/")
    assert list(validator(spec, "/api/v1/projects/{slug}/", "404").iter_errors(missing.json())) == []
