"""A new endpoint from its DingTalk doc page: the spec entry, a draft schema, the recorded example and three cases.

python -m common.cases.scaffold "curl -X POST 'https://oapi.dingtalk.com/topapi/v2/user/get?access_token=TOKEN' \\
    -H 'Content-Type: application/json' -d '{\"userid\":\"zhangsan\",\"language\":\"zh_CN\"}'" --example a.json
python -m common.cases.scaffold GET /v1.0/contact/users/me < answer.json       # method and path (or URL), stdin

From the curl a doc page prints (or a method and a path) and the example answer the page shows, it writes:

- ``data/spec/endpoints.yaml``: the endpoint's entry (api, method, path, group; ``--writes KIND --object NAME``
  when the endpoint writes, asked for when its name says so);
- ``schemas/<api><path>.json``: a JSON Schema inferred from the example (types, every field of the example
  required, the shape of array items, extra fields allowed), a draft with a ``$comment`` saying so;
- ``data/spec/examples/<api><path>.json``: the example request and answer, from which the sandbox answers the
  endpoint (``sandbox/recorded.py``);
- ``data/<group>.yaml`` (created, or appended to; the suite collects every data file): a success case, a
  missing-token case and a case that leaves out one field of the example request (``--drop FIELD``; the first one
  by default);
- ``tests/schemas/examples/<api><path>.json`` (in a checkout with the framework's tests): the example as a valid
  answer, the documented missing-token error and the example less a field as invalid ones.

Existing files are not overwritten without ``--force``; every bad input is one line saying what to do.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qsl, urlsplit

import yaml

from common.core.paths import PROJECT_ROOT

HOSTS = {"oapi.dingtalk.com": "oapi", "api.dingtalk.com": "api"}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
WRITE_KINDS = ("create", "update", "delete", "send")
TOKEN_HEADER = "x-acs-dingtalk-access-token"
EXAMPLES = Path("data") / "spec" / "examples"
SCHEMA_EXAMPLES = Path("tests") / "schemas" / "examples"
"""Examples tests/schemas checks every schema with (in a checkout with the framework's tests)."""
DRAFT_NOTE = (
    "DRAFT inferred by python -m common.cases.scaffold from the doc page's example answer: every field of the "
    "example is required and typed as the example shows it. Review it against the page (which fields it "
    "documents as always present, their types, enums, nested shapes), then remove this note."
)
_WRITE_WORDS = re.compile(r"(^|[/_.-])(create|add|update|modify|edit|delete|remove|send|save|set|submit|cancel)")
_DATA_OPTIONS = ("-d", "--data", "--data-raw", "--data-binary", "--data-ascii", "--json")
_VALUE_OPTIONS = ("-X", "--request", "-H", "--header", "--url", *_DATA_OPTIONS)
_SKIPPED_VALUE_OPTIONS = ("-o", "--output", "-u", "--user", "-m", "--max-time", "--connect-timeout", "-A")


class ScaffoldError(Exception):
    """A bad input: one line saying what is wrong and what to do."""


@dataclass(frozen=True)
class Call:
    """The doc page's example request: which host, method and path, and its parameters (no token)."""

    api: str
    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    json: dict[str, Any] | None = None

    @property
    def fields(self) -> list[str]:
        """The request's parameters, body fields first: what the recorded endpoint requires."""
        return [*(self.json or {}), *self.query]


# ── reading the doc page's request ───────────────────────────────────────────────────────────────────────────


def parse_curl(text: str) -> Call:
    """The call a doc page's curl command makes; ScaffoldError when it cannot be read."""
    joined = re.sub(r"\\\r?\n", " ", text.strip())  # line continuations
    try:
        words = shlex.split(joined)
    except ValueError as error:
        raise ScaffoldError(f"the curl command cannot be read ({error}): check its quotes") from None
    if not words or words[0] != "curl":
        raise ScaffoldError("not a curl command: give the doc page's `curl ...` line, or a method and a path")
    method, urls, data = None, [], []
    index = 1
    while index < len(words):
        word = words[index]
        value = None
        if word.startswith("-X") and len(word) > 2:
            word, value = "-X", word[2:]
        elif word.startswith("--") and "=" in word and word.split("=")[0] in _VALUE_OPTIONS:
            word, value = word.split("=", 1)
        if word in _VALUE_OPTIONS or word in _SKIPPED_VALUE_OPTIONS:
            if value is None:
                index += 1
                if index >= len(words):
                    raise ScaffoldError(f"the curl command ends after {word}: give its value")
                value = words[index]
            if word in ("-X", "--request"):
                method = value.upper()
            elif word == "--url":
                urls.append(value)
            elif word in _DATA_OPTIONS:
                data.append(value)
            # headers: the token header and Content-Type are the framework's business, others are not needed
        elif not word.startswith("-"):
            urls.append(word)
        index += 1
    if len(urls) != 1:
        found = "no URL" if not urls else f"{len(urls)} URLs ({', '.join(urls)})"
        raise ScaffoldError(f"the curl command has {found}: it needs exactly one, the endpoint's URL")
    if len(data) > 1:
        raise ScaffoldError("the curl command has more than one -d body: join them into one JSON object")
    return call_from(method or ("POST" if data else "GET"), urls[0], data=data[0] if data else None)


def call_from(method: str, target: str, api: str | None = None, data: str | None = None) -> Call:
    """The call to ``method`` ``target`` (a URL, or a path with ``api`` or its guess), with JSON body ``data``."""
    method = method.upper()
    if method not in METHODS:
        raise ScaffoldError(f"unknown HTTP method {method!r}: use one of {', '.join(METHODS)}")
    url = urlsplit(target)
    if url.scheme or url.netloc:
        host = url.hostname or ""
        if host not in HOSTS:
            raise ScaffoldError(
                f"unknown host {host!r}: DingTalk's are oapi.dingtalk.com and api.dingtalk.com; "
                "give the doc page's URL, or the path alone with --api oapi|api"
            )
        api = api or HOSTS[host]
    elif not url.path.startswith("/"):
        raise ScaffoldError(f"{target!r} is neither a URL nor a path: give e.g. /topapi/v2/user/get")
    api = api or ("api" if re.match(r"/v\d+\.\d+/", url.path) else "oapi")
    query = {k: v for k, v in parse_qsl(url.query, keep_blank_values=True) if k != "access_token"}
    body = None
    if data is not None and data.strip():
        try:
            body = json.loads(data)
        except ValueError as error:
            raise ScaffoldError(f"the request body is not JSON ({error}): give the doc page's JSON body") from None
        if not isinstance(body, dict):
            raise ScaffoldError("the request body is not a JSON object: give the doc page's {...} body")
    path = url.path.rstrip("/") or "/"
    return Call(api, method, path, query, body)


def read_example(text: str, source: str, call: Call) -> Any:
    """The doc page's example answer; ScaffoldError when it is not JSON or is an error answer."""
    try:
        example = json.loads(text)
    except ValueError as error:
        raise ScaffoldError(
            f"{source}: the example answer is not valid JSON ({error}): paste the doc page's 返回示例 as it is, "
            "with its comments removed"
        ) from None
    if call.api == "oapi":
        if not isinstance(example, dict):
            raise ScaffoldError(f"{source}: an oapi.dingtalk.com answer is a JSON object: paste the doc page's {{...}}")
        if example.get("errcode", 0) != 0:
            raise ScaffoldError(
                f"{source}: the example is an error answer (errcode {example['errcode']}): paste the success example"
            )
    return example


# ── the schema ───────────────────────────────────────────────────────────────────────────────────────────────


def infer(value: Any) -> dict[str, Any]:
    """A JSON Schema that the example ``value`` meets: types, every object field required, extra fields open."""
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    if value is None:
        return {"type": "null"}
    if isinstance(value, list):
        schema: dict[str, Any] = {"type": "array"}
        if value:
            schema["items"] = _merged([infer(item) for item in value])
        return schema
    return {
        "type": "object",
        "properties": {key: infer(item) for key, item in value.items()},
        "required": list(value),
        "additionalProperties": True,
    }


def _merged(schemas: list[dict[str, Any]]) -> dict[str, Any]:
    """One schema for the items of an array: objects merge (a field is required when every item has it)."""
    first = schemas[0]
    if all(s == first for s in schemas):
        return first
    if all(s.get("type") == "object" for s in schemas):
        properties: dict[str, Any] = {}
        for schema in schemas:
            for key, sub in schema["properties"].items():
                properties[key] = _merged([properties[key], sub]) if key in properties else sub
        required = [key for key in first["required"] if all(key in s["required"] for s in schemas)]
        return {"type": "object", "properties": properties, "required": required, "additionalProperties": True}
    if all(s.get("type") == "array" for s in schemas):
        items = [s["items"] for s in schemas if "items" in s]
        return {"type": "array", **({"items": _merged(items)} if items else {})}
    types = sorted({s["type"] for s in schemas if isinstance(s.get("type"), str)})
    if {"integer", "number"} <= set(types):
        types.remove("integer")
    return {"type": types[0] if len(types) == 1 else types}


def schema_for(call: Call, example: Any) -> dict[str, Any]:
    """The draft success schema of the endpoint, with its ``$comment`` asking for a review."""
    inferred = infer(example)
    if call.api == "oapi" and "errcode" in inferred.get("properties", {}):
        inferred["properties"]["errcode"] = {"type": "integer", "const": 0, "description": "0 on success"}
    host = "oapi.dingtalk.com" if call.api == "oapi" else "api.dingtalk.com"
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{call.api}{call.path}.json",
        "title": f"{short_name(call)} success response (draft)",
        "description": f"Success response of {call.method} https://{host}{call.path}, inferred from its doc's example.",
        "$comment": DRAFT_NOTE,
        **inferred,
    }


# ── the cases ────────────────────────────────────────────────────────────────────────────────────────────────


def short_name(call: Call) -> str:
    """``v2/user/get`` for /topapi/v2/user/get, ``contact/users/me`` for /v1.0/contact/users/me."""
    return re.sub(r"^/(topapi/|v\d+\.\d+/)?", "", call.path) or call.path


def default_group(call: Call) -> str:
    """The API group a path suggests: the first name after /topapi/ or /v1.0/ that is not a version."""
    names = [n for n in short_name(call).split("/") if n and not re.fullmatch(r"v\d+(\.\d+)?", n)]
    return re.sub(r"[^a-z0-9_]", "_", names[0].lower()) if names else "misc"


def case_id(call: Call) -> str:
    return re.sub(r"[^a-z0-9]+", "-", short_name(call).lower()).strip("-")


def _flow(value: Any) -> str:
    """A YAML flow value on one line."""
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1 << 20, sort_keys=False).strip()


def _request(call: Call, auth: str | None = None, drop: str | None = None) -> list[str]:
    lines = ["    request:"]
    if call.api != "oapi":
        lines.append(f"      api: {call.api}")
    lines += [f"      method: {call.method}", f"      path: {call.path}"]
    if auth:
        lines.append(f"      auth: {auth}")
    query = {k: v for k, v in call.query.items() if k != drop}
    body = None if call.json is None else {k: v for k, v in call.json.items() if k != drop}
    if query:
        lines.append(f"      query: {_flow(query)}")
    if body is not None:
        lines.append(f"      json: {_flow(body)}")
    return lines


def cases_text(call: Call, drop: str | None) -> str:
    """The three cases, as YAML list items under ``cases:``."""
    name, base, old = short_name(call), case_id(call), call.api == "oapi"
    topapi = call.path.startswith("/topapi/")
    head = [
        f"  # ── {call.method} {call.path}: scaffolded from its doc page (python -m common.cases.scaffold) ──",
        "  # Draft: replace the doc page's example values by your tenant's (e.g. ${profile.admin_userid}) to run live;",
        f"  # the sandbox answers the recorded example (data/spec/examples/{call.api}{call.path}.json).",
        f"  - id: {base}",
        f"    title: {name} answers the doc page's example request (draft)",
        f"    story: {call.path}",
        *_request(call),
    ]
    if topapi:
        token_title = f"{name} without access_token is refused with errcode 88, sub_code 40000"
        token_expect = ["    expect:", "      errcode: 88", "      body:", '        sub_code: "40000"']
    elif old:  # the wrapper is documented for /topapi/* only
        token_title = f"{name} without access_token is refused"
        token_expect = ["    expect:", "      errcode: {ne: 0}"]
    else:
        token_title = f"{name} without the token header is refused with HTTP 400 AuthenticationFailed.MissingParameter"
        token_expect = ["    expect:", "      status: 400", "      code: AuthenticationFailed.MissingParameter"]
    token = [
        "",
        f"  - id: {base}-missing-token",
        f"    title: {token_title}",
        f"    story: {call.path}",
        *_request(call, auth="none"),
        *token_expect,
    ]
    lines = head + token
    if drop:
        lines += [
            "",
            f"  # Rests on the doc page marking `{drop}` required (必填): check it there, or pick another with --drop.",
            f"  - id: {base}-missing-{re.sub(r'[^a-z0-9]+', '-', drop.lower()).strip('-')}",
            f"    title: {name} without {drop} is refused",
            f"    story: {call.path}",
            *_request(call, drop=drop),
            "    expect:",
            *(["      errcode: {ne: 0}"] if old else ["      status: 400"]),
        ]
    return "\n".join(lines) + "\n"


def data_file_head(group: str, epic: str) -> str:
    return (
        "# yaml-language-server: $schema=../schemas/case-format.schema.json\n"
        f"# {group}: cases scaffolded by python -m common.cases.scaffold from DingTalk's doc pages; review them.\n"
        f"epic: {epic}\n"
        f"feature: {group}\n"
        "cases:\n"
    )


# ── planning and writing ─────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Options:
    group: str | None = None
    epic: str | None = None
    writes: str | None = None
    object: str | None = None
    read_only: bool = False
    drop: str | None = None
    force: bool = False


@dataclass(frozen=True)
class Write:
    """One file to write: created, replaced, or with ``text`` appended."""

    path: Path
    text: str
    append: bool = False


def spec_line(call: Call, group: str, options: Options) -> str:
    writes = f", writes: {options.writes}, object: {options.object}" if options.writes else ""
    return f"- {{api: {call.api}, method: {call.method}, path: {call.path}{writes}, group: {group}}}\n"


def plan(call: Call, example: Any, options: Options, root: Path = PROJECT_ROOT) -> list[Write]:
    """The files to write, every conflict found before anything is written."""
    group = options.group or default_group(call)
    if not re.fullmatch(r"[a-z][a-z0-9_]*", group):
        raise ScaffoldError(f"--group {group!r}: a group is lowercase letters, digits and _, e.g. user")
    _check_writes(call, options)
    drop = options.drop
    if drop is not None and drop not in call.fields:
        fields = ", ".join(call.fields) or "none"
        raise ScaffoldError(f"--drop {drop}: not a field of the example request (its fields: {fields})")
    if drop is None and call.fields:
        drop = call.fields[0]
    writes = [_spec_write(call, group, options, root)]
    for path, content in (
        (root / "schemas" / f"{call.api}{call.path}.json", schema_for(call, example)),
        (root / EXAMPLES / f"{call.api}{call.path}.json", _example_record(call, example)),
    ):
        _refuse_existing(path, root, options.force)
        writes.append(Write(path, json.dumps(content, ensure_ascii=False, indent=2) + "\n"))
    checked = root / SCHEMA_EXAMPLES / f"{call.api}{call.path}.json"
    if (root / SCHEMA_EXAMPLES).is_dir():
        _refuse_existing(checked, root, options.force)
        writes.append(Write(checked, json.dumps(schema_examples(call, example), ensure_ascii=False, indent=2) + "\n"))
    data = root / "data" / f"{group}.yaml"
    cases = cases_text(call, drop)
    if data.exists():
        text = data.read_text(encoding="utf-8")
        for case in re.findall(r"^  - id: (\S+)$", cases, flags=re.M):
            if re.search(rf"^\s*- id: {re.escape(case)}\s*$", text, flags=re.M):
                raise ScaffoldError(
                    f"{_shown(data, root)} already has case '{case}': remove it (and its siblings) or rename them first"
                )
        writes.append(Write(data, ("" if text.endswith("\n") else "\n") + "\n" + cases, append=True))
    else:
        writes.append(Write(data, data_file_head(group, options.epic or group.capitalize()) + cases))
    return writes


def _check_writes(call: Call, options: Options) -> None:
    if options.writes and options.read_only:
        raise ScaffoldError("--writes and --read-only contradict each other: give one")
    if options.writes and options.writes not in WRITE_KINDS:
        raise ScaffoldError(f"--writes {options.writes}: use one of {', '.join(WRITE_KINDS)}")
    if options.writes and not options.object:
        raise ScaffoldError(f"--writes {options.writes} needs --object NAME: what it writes, e.g. --object user")
    if options.object and not options.writes:
        raise ScaffoldError("--object goes with --writes create|update|delete|send")
    looks_writing = bool(_WRITE_WORDS.search(short_name(call))) or (call.api == "api" and call.method != "GET")
    if looks_writing and not options.writes and not options.read_only:
        raise ScaffoldError(
            f"{call.method} {call.path} looks like it writes: say what it does with --writes create|update|delete|send "
            "--object NAME (e.g. --object user), or --read-only if it does not"
        )


def _spec_write(call: Call, group: str, options: Options, root: Path) -> Write:
    spec = root / "data" / "spec" / "endpoints.yaml"
    text = spec.read_text(encoding="utf-8")
    line = spec_line(call, group, options)
    entry = re.compile(rf"^- \{{api: {call.api}, method: \w+, path: {re.escape(call.path)}[,}}].*\n?", re.M)
    found = entry.search(text)
    if found is None and re.search(rf"path: {re.escape(call.path)}[,}}\s]", text):
        raise ScaffoldError(f"{_shown(spec, root)} already lists {call.path} in another form: edit that entry by hand")
    if found is None:
        return Write(spec, ("" if text.endswith("\n") else "\n") + line, append=True)
    if not options.force:
        raise ScaffoldError(f"{_shown(spec, root)} already lists {call.api} {call.path}: --force replaces its entry")
    return Write(spec, text[: found.start()] + line + text[found.end() :])


def schema_examples(call: Call, example: Any) -> dict[str, Any]:
    """What tests/schemas checks the draft schema with: the example passes; the documented no-token error and the
    example without its first field do not."""
    if call.api == "oapi":
        error = {
            "errcode": 88,
            "sub_code": "40000",
            "sub_msg": "access_token is blank",
            "errmsg": "ding talk error[subcode=40000,submsg=access_token is blank]",
            "request_id": "3fv2q1zlbk8x",
        }
    else:
        error = {"requestid": "3fv2q1zlbk8x", "code": "AuthenticationFailed.MissingParameter", "message": "缺少请求头"}
    invalid = [error]
    if isinstance(example, dict):
        kept = [key for key in example if key not in ("errcode", "errmsg", "request_id", "success")] or list(example)
        if kept:
            invalid.append({key: value for key, value in example.items() if key != kept[0]})
    return {"valid": [copy.deepcopy(example)], "invalid": invalid}


def _example_record(call: Call, example: Any) -> dict[str, Any]:
    return {
        "$comment": (
            "The doc page's example request and answer, saved by python -m common.cases.scaffold: the sandbox answers "
            "this endpoint with `response` (sandbox/recorded.py) and refuses a request lacking any field of `request`."
        ),
        "api": call.api,
        "method": call.method,
        "path": call.path,
        "request": {"query": call.query, "json": call.json},
        "response": copy.deepcopy(example),
    }


def _refuse_existing(path: Path, root: Path, force: bool) -> None:
    if path.exists() and not force:
        raise ScaffoldError(f"{_shown(path, root)} exists: --force overwrites it")


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def write(writes: list[Write], root: Path = PROJECT_ROOT) -> list[str]:
    """Write the planned files; one line per file saying what was done."""
    done = []
    for item in writes:
        item.path.parent.mkdir(parents=True, exist_ok=True)
        existed = item.path.exists()
        if item.append:
            with item.path.open("a", encoding="utf-8") as out:
                out.write(item.text)
        else:
            item.path.write_text(item.text, encoding="utf-8")
        verb = "appended to" if item.append else ("replaced" if existed else "wrote")
        done.append(f"{verb} {_shown(item.path, root)}")
    return done


# ── the command ──────────────────────────────────────────────────────────────────────────────────────────────


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m common.cases.scaffold",
        description="An endpoint from its DingTalk doc page: spec entry, draft schema, recorded example, cases.",
    )
    parser.add_argument("request", nargs="+", help="the doc page's curl command (one argument), or METHOD PATH-or-URL")
    parser.add_argument("--example", default="-", help="the doc page's example answer: a JSON file, or - for stdin")
    parser.add_argument("--data", help="with METHOD PATH: the example request's JSON body")
    parser.add_argument("--api", choices=("oapi", "api"), help="with a path: the host (default: api for /v1.0/...)")
    parser.add_argument("--group", help="the API group (default: from the path, e.g. user): data/GROUP.yaml")
    parser.add_argument("--epic", help="the Allure epic of a new data file (default: the group)")
    parser.add_argument("--writes", help="what the endpoint does to the tenant: create, update, delete or send")
    parser.add_argument("--object", help="with --writes: what it writes, e.g. user")
    parser.add_argument("--read-only", action="store_true", help="the endpoint only reads (though its name suggests)")
    parser.add_argument("--drop", help="the field the missing-parameter case leaves out (default: the first)")
    parser.add_argument("--force", action="store_true", help="overwrite the schema and examples if they exist")
    return parser


def main(argv: list[str] | None = None, stdin: TextIO | None = None, root: Path = PROJECT_ROOT) -> int:
    args = _parser().parse_args(argv)
    try:
        words = args.request
        if len(words) == 1 and words[0].lstrip().startswith("curl"):
            if args.data is not None or args.api is not None:
                raise ScaffoldError("--data and --api go with METHOD PATH; the curl command has its own body and URL")
            call = parse_curl(words[0])
        elif len(words) == 2:
            call = call_from(words[0], words[1], api=args.api, data=args.data)
        else:
            raise ScaffoldError(
                "give the doc page's curl command as one quoted argument, or a method and a path (POST /topapi/x/get)"
            )
        if args.example == "-":
            stream = stdin or sys.stdin
            if stream.isatty():
                raise ScaffoldError("no example answer: give --example FILE, or paste it on stdin (end with Ctrl-D)")
            text, source = stream.read(), "stdin"
        else:
            try:
                text, source = Path(args.example).read_text(encoding="utf-8"), args.example
            except OSError as error:
                raise ScaffoldError(f"--example {args.example}: cannot read it ({error.strerror})") from None
        example = read_example(text, source, call)
        options = Options(args.group, args.epic, args.writes, args.object, args.read_only, args.drop, args.force)
        writes = plan(call, example, options, root)
    except ScaffoldError as error:
        print(f"scaffold: {error}", file=sys.stderr)
        return 2
    for line in write(writes, root):
        print(line)
    group = options.group or default_group(call)
    print(
        f"next: review schemas/{call.api}{call.path}.json and the cases in data/{group}.yaml against the doc page, "
        f"run `pytest -k {case_id(call)}`, then `python -m common.cases.coverage --write`"
    )
    if not call.fields:
        print("note: the example request has no parameter to leave out, so there is no missing-parameter case")
    return 0


if __name__ == "__main__":
    sys.exit(main())
