"""`GET /__sandbox/openapi.json`: an OpenAPI 3.1 description of what the sandbox serves, built from its route
table, with the answer schemas of the project's `schemas/` folder (JSON Schema 2020-12, as OpenAPI 3.1 uses)
embedded under `components/schemas`.
"""

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sandbox.front_door.catalog import GROUPS, OTHER, SERVICE_ENDPOINTS, Example, group_of
from sandbox.protocol.envelopes import Style
from sandbox.protocol.parameters import ACS_TOKEN_HEADER
from sandbox.routes import Route

SCHEMAS_DIR = Path(__file__).resolve().parents[1] / "schemas"
OPENAPI_VERSION = "3.1.0"
_DOC_PAGE = re.compile(r"page '([^']+)'")
_REF_NAME = re.compile(r"[^A-Za-z0-9._-]")


def load_schemas(root: Path = SCHEMAS_DIR) -> dict[str, dict[str, Any]]:
    """Every `*.json` schema under `root/oapi`, `root/api` and `root/sandbox`, by path relative to `root`
    (`oapi/topapi/blackboard/listids.json`). An absent folder (the sandbox copied without the project) is empty."""
    found = {}
    for folder in ("oapi", "api", "sandbox"):
        for file in sorted((root / folder).rglob("*.json")):
            found[file.relative_to(root).as_posix()] = json.loads(file.read_text(encoding="utf-8"))
    return found


def schema_files(route: Route) -> tuple[str, str | None]:
    """The schema files (relative to `schemas/`) of a route's success answer and of its error answer."""
    if route.style is Style.ACS:
        return f"api{route.path}.json", "api/error.json"
    return f"oapi{route.path}.json", f"oapi{route.path}.error.json"


def doc_title(schema: Mapping[str, Any] | None) -> str:
    """The DingTalk doc page a schema names in its description or comment ('获取公告ID列表'), or ''."""
    if not schema:
        return ""
    match = _DOC_PAGE.search(f"{schema.get('$comment', '')} {schema.get('description', '')}")
    return match.group(1) if match else ""


def component_name(file: str) -> str:
    return _REF_NAME.sub("_", file.removesuffix(".json").replace("/", "."))


def _component(name: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    """A schema embedded as a component: no `$id`/`$schema`, its local `#/$defs/...` refs pointed at itself."""
    text = json.dumps({k: v for k, v in schema.items() if k not in ("$id", "$schema")}, ensure_ascii=False)
    text = text.replace('"#/$defs/', f'"#/components/schemas/{name}/$defs/')
    return json.loads(text)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _query_parameters(example: Example) -> list[dict[str, Any]]:
    parameters = []
    for name, value in example.query.items():
        if name == "access_token" and example.path.startswith(("/topapi/", "/service/")):
            continue  # the oapiToken security scheme
        placeholder = value.startswith("${")
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": placeholder or (example.method == "GET" and name in ("appkey", "appsecret")),
                "schema": {"type": "string"},
                "example": value,
            }
        )
    return parameters


def _operation(route: Route, example: Example, schemas: Mapping[str, Any], components: dict[str, Any]) -> dict:
    success_file, error_file = schema_files(route)
    success, error = schemas.get(success_file), schemas.get(error_file or "")
    if error is None and route.style is not Style.ACS:
        error_file, error = "oapi/error.json", schemas.get("oapi/error.json")
    refs = []
    for file, schema in ((success_file, success), (error_file, error)):
        if schema is not None and file is not None:
            components[component_name(file)] = _component(component_name(file), schema)
            refs.append(_ref(component_name(file)))
    title = doc_title(success)
    group = group_of(route.path)
    operation: dict[str, Any] = {
        "operationId": component_name(f"{route.method.lower()}{route.path}"),
        "tags": [group.key],
        "summary": title or route.path,
        "description": f"DingTalk doc page: {title}" if title else "",
        "parameters": _query_parameters(example),
        "responses": {},
    }
    if route.style is Style.ACS:
        operation["security"] = [{"acsToken": []}]
        answer = refs[0] if refs else {"type": "object"}
        operation["responses"]["200"] = {"description": "成功 / success", "content": _json(answer)}
        error_answer = refs[1] if len(refs) > 1 else {"type": "object"}
        operation["responses"]["default"] = {"description": "HTTP 4xx/5xx 错误 / error", "content": _json(error_answer)}
    else:
        if route.style in (Style.TOPAPI, Style.TOP):
            operation["security"] = [{"oapiToken": []}]
        else:
            operation["security"] = []
        answer = {"anyOf": refs} if len(refs) > 1 else refs[0] if refs else {"type": "object"}
        operation["responses"]["200"] = {
            "description": "成功，或 errcode 非 0 的错误 / success, or an error with a nonzero errcode",
            "content": _json(answer),
        }
    if example.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}, "example": example.body}},
        }
    return operation


def _json(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": dict(schema)}}


def _service_operation(method: str, path: str, summary: str, html: bool, schemas: Mapping[str, Any]) -> dict:
    content: dict[str, Any] = {"text/html": {"schema": {"type": "string"}}} if html else _json({"type": "object"})
    if path == "/__sandbox/robot/messages" and "sandbox/robot-inbox.json" in schemas:
        content = _json(_ref(component_name("sandbox/robot-inbox.json")))
    operation: dict[str, Any] = {
        "operationId": component_name(f"{method.lower()}{path}").replace("{", "").replace("}", ""),
        "tags": ["sandbox"],
        "summary": summary,
        "security": [],
        "responses": {"200": {"description": "ok", "content": content}},
    }
    if "{number}" in path:
        operation["parameters"] = [
            {"name": "number", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
        ]
        operation["responses"]["404"] = {"description": "不在最近的请求中 / not among the recent requests"}
    if method == "POST" and path == "/__sandbox/faults":
        operation["requestBody"] = {"required": True, "content": _json({"type": "object"})}
    return operation


def _recorded_operation(recording: Any) -> dict[str, Any]:
    new_host = recording.path.startswith("/v1.0/")
    operation: dict[str, Any] = {
        "operationId": component_name(f"recorded-{recording.method.lower()}{recording.path}"),
        "tags": ["recorded"],
        "summary": f"{recording.path} (recorded doc example)",
        "description": "不模拟，回放文档示例 / not emulated: answered with its doc page's example answer. "
        f"Fields: {', '.join(recording.fields) or '-'}",
        "security": [{"acsToken": []}] if new_host else [{"oapiToken": []}],
        "responses": {
            "200": {
                "description": "文档示例 / the doc page's example",
                "content": {"application/json": {"schema": {}, "example": recording.response}},
            }
        },
    }
    if recording.method != "GET":
        operation["requestBody"] = {"content": {"application/json": {"schema": {"type": "object"}}}}
    return operation


def document(
    routes: Mapping[tuple[str, str], Route],
    examples: Mapping[tuple[str, str], Example],
    schemas: Mapping[str, Any],
    base_url: str,
    recorded: Iterable[Any] = (),
) -> dict[str, Any]:
    """The OpenAPI 3.1 document: every route of the table, the endpoints answered from recorded doc examples
    (`sandbox/recorded.py`: `method`, `path`, `fields`, `response`), then the sandbox's own endpoints."""
    components: dict[str, Any] = {}
    if "sandbox/robot-inbox.json" in schemas:
        name = component_name("sandbox/robot-inbox.json")
        components[name] = _component(name, schemas["sandbox/robot-inbox.json"])
    paths: dict[str, dict[str, Any]] = {}
    for key, route in routes.items():
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, examples[key], schemas, components)
    for recording in recorded:
        paths.setdefault(recording.path, {})[recording.method.lower()] = _recorded_operation(recording)
    for endpoint in SERVICE_ENDPOINTS:
        summary = f"{endpoint.chinese} / {endpoint.english}"
        operation = _service_operation(endpoint.method, endpoint.path, summary, endpoint.html, schemas)
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation
    tags = [{"name": g.key, "description": f"{g.chinese} / {g.english}"} for g in (*GROUPS, OTHER)]
    tags.append({"name": "recorded", "description": "录制的文档示例 / answered from recorded doc examples"})
    tags.append({"name": "sandbox", "description": "沙箱自身的接口 / the sandbox's own endpoints"})
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "DingTalk sandbox 钉钉开放平台沙箱",
            "version": "1",
            "description": (
                "本地钉钉开放平台模拟器所模拟的接口。The DingTalk Open API endpoints this local sandbox emulates "
                "(old host oapi.dingtalk.com and new host api.dingtalk.com, served on one port)."
            ),
        },
        "servers": [{"url": base_url}],
        "tags": tags,
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {
                "oapiToken": {"type": "apiKey", "in": "query", "name": "access_token"},
                "acsToken": {"type": "apiKey", "in": "header", "name": ACS_TOKEN_HEADER},
            },
        },
    }
