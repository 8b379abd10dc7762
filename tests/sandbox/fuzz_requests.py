"""Hypothesis strategies for malformed sandbox requests, the rare ones sent on purpose, and the envelope every
answer must come in.

The documented requests to start from are the suite's own: every request a YAML case in data/ sends,
rendered with the sandbox profile. The strategies break them field by field (wrong types, huge, negative,
unicode, null, missing, extra), break the body's JSON and its content type, the query string and the token,
and send them with the wrong method or to a path that is nearly right. ``rare_requests`` sends the values that
drawing reaches only after hundreds of requests in every field that takes them.
"""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from hypothesis import strategies as st

from common.cases.loader import CaseLoader
from common.cases.model import Case
from common.cases.profile import load_profile
from common.cases.schemas import SchemaStore
from common.cases.templating import Context, TemplateError, tenant_zone
from common.dingtalk.api import errcode
from sandbox.config import DEFAULT_APPKEY, DEFAULT_APPSECRET
from sandbox.protocol.envelopes import Style
from sandbox.routes import Route

PROJECT = Path(__file__).resolve().parents[2]
ACS_TOKEN_HEADER = "x-acs-dingtalk-access-token"
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FETCH")
Json = Any
Seeds = dict[str, list[dict[str, Json]]]
"""Documented request parameters by path: JSON bodies, or query parameters on the query-string styles."""

EDGE_NUMBERS = (0, -1, 1, -0.0, 0.5, 2**31, -(2**31), 2**63, -(2**63) - 1, 10**30, -(10**30), 1e308, -1e308)
EDGE_TEXTS = (
    "", " ", "0", "-1", "1.5", "1e3", "99999999999999999999", "null", "true", "NaN", "Infinity",
    "钉钉", "𝕏🙂", "\x00", "\u202e", "\ufeff", "a" * 5000, "${profile.admin_userid}", "%s%n", "../../etc/passwd",
    "2024-02-30 25:61:61", "2024-01-31 09:30:00", "@", "@lADPD", "1,2,,3", ",", "2,3,5,-1,7", "manager4220",
    "<script>", "' OR 1=1 --",
)  # fmt: skip
LONG_LISTS = (["626116675269872"] * 1001, list(range(21)), [str(n) for n in range(11)], [""] * 50)
"""Lists just past the documented limits: 1000 receivers, 20 departments, 10 people."""
LONE_SURROGATES = ("\ud800", "\udfff")
ANY_TEXT = st.text(max_size=20) | st.builds(
    "{}{}{}".format, st.text(max_size=6), st.sampled_from(LONE_SURROGATES), st.text(max_size=6)
)
"""Unicode text, some with a lone surrogate (JSON can carry one as a \\ud800 escape)."""
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(EDGE_NUMBERS),
    st.floats(),
    ANY_TEXT,
    st.sampled_from(EDGE_TEXTS),
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)
QUERY_TEXTS = st.one_of(ANY_TEXT, st.sampled_from(EDGE_TEXTS), st.integers().map(str))
CONTENT_TYPES = (
    "application/json", "application/json;charset=utf-8", "APPLICATION/JSON; charset=gbk", "text/plain", "",
    "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json\x00",
)  # fmt: skip
RAW_QUERIES = ("%zz", "&&&", "=", "a=b=c", "%00=%00", "access_token", "access_token=%ff", "x=" + "%41" * 3000)
NOT_AN_OBJECT = (b"", b"{", b"[]", b"1", b'"text"', b"null", b"\xff\xfe{}")
"""Bodies that are not JSON, or JSON but not an object."""
QUERY_STYLES = (Style.GETTOKEN, Style.ACS)
"""The styles whose parameters travel in the query string; the others send a JSON body."""
Parts = tuple[str, str, dict[str, str], bytes]
"""A request's method, target, headers and body."""


def api_of(style: Style) -> str:
    """The API generation of a route style: the new host's ``api`` or the old host's ``oapi``."""
    return "api" if style is Style.ACS else "oapi"


def documented_requests(clock: Callable[[], float]) -> Seeds:
    """The parameters every step of every case in data/ sends, by path, rendered as against the sandbox."""
    profile = load_profile(PROJECT / "data" / "profiles" / "sandbox.yaml", "data/profiles/sandbox.yaml")
    loader = CaseLoader(SchemaStore(PROJECT / "schemas"), profile, PROJECT)
    variables = {"profile": profile, "run_id": "fuzz", "uid": "fuzz", "appkey": DEFAULT_APPKEY}
    context = Context(variables, clock, tenant_zone(profile))
    seeds: Seeds = defaultdict(list)
    for path in sorted((PROJECT / "data").glob("*.yaml")):
        for case in loader.load(path):
            if not isinstance(case, Case):
                continue
            for step in (*case.steps, *case.teardown):
                template = step.request.json or step.request.query
                try:
                    params = template.render(context) if template else {}
                except TemplateError:  # needs a value an earlier step saves
                    continue
                if isinstance(params, dict):
                    seeds[step.request.path].append(params)
    return seeds


def _places(value: Json, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every position inside a JSON value, the value itself first."""
    found = [at]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _places(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _places(item, (*at, index))
    return found


def _parent(value: Json, at: tuple[Any, ...]) -> Json:
    for part in at[:-1]:
        value = value[part]
    return value


def _same_type(value: Json) -> st.SearchStrategy[Json] | None:
    """Hostile values of the type of ``value``, or None for a type without its own."""
    if isinstance(value, str):
        return ANY_TEXT | st.sampled_from(EDGE_TEXTS)
    if isinstance(value, int) and not isinstance(value, bool):
        return st.integers() | st.sampled_from([number for number in EDGE_NUMBERS if isinstance(number, int)])
    if isinstance(value, list):
        return st.lists(ANY_TEXT | st.integers(), max_size=3) | st.sampled_from(LONG_LISTS).map(list)  # a copy
    return None


@st.composite
def broken_params(draw: st.DrawFn, seed: dict[str, Json], values: st.SearchStrategy[Json]) -> Json:
    """A documented parameter set with one to three fields replaced, removed or added; sometimes replaced whole."""
    params: Json = copy.deepcopy(seed)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.sampled_from(_places(params)))
        if not at:
            params = draw(values) if draw(st.integers(0, 9)) == 0 else params
            continue
        parent = _parent(params, at)
        action = draw(st.sampled_from(("replace", "replace", "remove", "add")))
        if action == "replace":  # half the time with a value of the same type, which gets past type checks
            same = _same_type(parent[at[-1]])
            parent[at[-1]] = draw(same if same is not None and draw(st.booleans()) else values)
        elif action == "remove":
            del parent[at[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = draw(values)
        else:
            parent.append(draw(values))
        if not isinstance(params, dict | list):
            break
    return params


def _json_bytes(draw: st.DrawFn, body: Json, broken: bool) -> bytes:
    data = json.dumps(body).encode()  # ASCII: a lone surrogate travels as a \\ud800 escape
    if not broken:
        return data
    return draw(
        st.sampled_from((data[: len(data) // 2], b"[" * 2000 + data, data + b"}", b"\xff\xfe" + data))
        | st.binary(max_size=64)
    )


def _query(params: dict[str, Json]) -> str:
    return urlencode({key: str(value) for key, value in params.items()}, errors="surrogatepass")


def _head(route: Route, params: Json, token: str, content_type: str = CONTENT_TYPES[0]) -> tuple[str, dict[str, str]]:
    """The target and headers of a request of ``route`` with ``params``: the parameters in the query (and the new
    host's token in its header), or the token in the query and the content type of a JSON body."""
    if route.style in QUERY_STYLES:
        query = params if isinstance(params, dict) else {"q": params}
        headers = {ACS_TOKEN_HEADER: token} if route.style is Style.ACS else {}
        return f"{route.path}?{_query(query)}", headers
    return f"{route.path}?{_query({'access_token': token} if token else {})}", {"content-type": content_type}


def _framed(route: Route, params: Json, token: str, content_type: str = CONTENT_TYPES[0]) -> Parts:
    """A request of ``route`` with ``params``, as its style sends them."""
    body = b"" if route.style in QUERY_STYLES else json.dumps(params).encode()
    return (route.method, *_head(route, params, token, content_type), body)


def _replaced(params: dict[str, Json], at: tuple[Any, ...], value: Json) -> dict[str, Json]:
    changed = copy.deepcopy(params)
    _parent(changed, at)[at[-1]] = value
    return changed


def rare_requests(route: Route, seeds: Seeds, token: str) -> list[Parts]:
    """Requests to ``route`` with what random drawing takes hundreds of requests to reach, each sent on purpose: every
    list field of the documented requests with each list past the documented limits (LONG_LISTS) and every text
    field with each lone surrogate, each field in the first request that has it; on a route taking JSON, each body
    that is not a JSON object and each other content type."""
    documented = seeds.get(route.path) or [{}]
    sent, fields = [], set()
    for seed in documented:
        for at in _places(seed)[1:]:
            value = _parent(seed, at)[at[-1]]
            rare = LONG_LISTS if isinstance(value, list) else LONE_SURROGATES if isinstance(value, str) else ()
            field = tuple("[*]" if isinstance(part, int) else part for part in at)  # a list's items: one field
            if rare and field not in fields:
                fields.add(field)
                sent += [_framed(route, _replaced(seed, at, item), token) for item in rare]
    if route.style not in QUERY_STYLES:
        target, headers = _head(route, documented[0], token)
        sent += [(route.method, target, headers, broken) for broken in NOT_AN_OBJECT]
        sent += [_framed(route, documented[0], token, content_type) for content_type in CONTENT_TYPES[2:]]
    return sent


WRONG = ("method", "token", "content type", "json", "raw query")
"""What may be wrong with a request besides its fields: at most one of these, in four requests out of ten."""


@st.composite
def request_parts(draw: st.DrawFn, route: Route, seeds: Seeds, token: str) -> Parts:
    """Method, target, headers and body of a request to ``route`` with broken fields, and maybe one more fault."""
    wrong = draw(st.sampled_from(WRONG)) if draw(st.integers(0, 9)) < 4 else None
    method = draw(st.sampled_from(METHODS)) if wrong == "method" else route.method
    token = draw(st.sampled_from(("", "expired", token + " ", "\u00e9"))) if wrong == "token" else token
    seed = draw(st.sampled_from(seeds.get(route.path) or [{}]))
    if route.style is Style.GETTOKEN and draw(st.booleans()):  # the cases send only wrong credentials
        seed = {"appkey": DEFAULT_APPKEY, "appsecret": DEFAULT_APPSECRET}
    if route.style in QUERY_STYLES:
        query = draw(broken_params({key: str(value) for key, value in seed.items()}, QUERY_TEXTS))
        target, headers = _head(route, query, token)
        body = draw(st.sampled_from((b"", b"{}", b"\xff\xfe"))) if wrong == "json" else b""
    else:
        params = draw(broken_params(seed, JSON_VALUES))
        body = _json_bytes(draw, params, broken=wrong == "json")
        content_type = draw(st.sampled_from(CONTENT_TYPES[2:])) if wrong == "content type" else CONTENT_TYPES[0]
        target, headers = _head(route, params, token, content_type)
    if wrong == "raw query":
        target += "&" + draw(st.sampled_from(RAW_QUERIES))
    return method, target, headers, body


NEAR_MISSES: dict[str, Callable[[str], str]] = {
    "slash": lambda path: path + "/",
    "case": str.upper,
    "double": lambda path: path.replace("/", "//", 1),
    "dots": lambda path: path + "/../x",
    "encoded": lambda path: quote(path, safe=""),
    "none": lambda path: path,
}
"""The ways of nearly reaching an endpoint's path (and of reaching it, for a broken query)."""


@st.composite
def stray_targets(draw: st.DrawFn, paths: list[str]) -> str:
    """A path that is nearly an endpoint's, or not at all, with a query that may be broken."""
    path = draw(st.sampled_from(paths))
    change = draw(st.sampled_from(("slash", "case", "double", "dots", "junk", "encoded", "none")))
    junk = "/topapi/" + quote(draw(st.text(max_size=20)))
    path = junk if change == "junk" else NEAR_MISSES[change](path)
    return f"{path}?{draw(st.sampled_from(RAW_QUERIES))}"


def near_misses(paths: list[str]) -> list[str]:
    """Every way of nearly reaching every path, each with a broken query (in turn)."""
    targets = [miss(path) for path in paths for miss in NEAR_MISSES.values()]
    return [f"{target}?{RAW_QUERIES[index % len(RAW_QUERIES)]}" for index, target in enumerate(targets)]


def envelope_problems(schemas: SchemaStore, api: str, path: str, status: int, body: Json) -> list[str]:
    """How an answer breaks its endpoint's envelope: its success schema, or its API generation's error schema."""
    if not isinstance(body, dict):
        return [f"the body is not a JSON object: {body!r}"]
    error = status >= 400 if api == "api" else errcode(body) not in (0, None)
    if api == "oapi" and status != 200 and not (status == 404 and error):
        return [f"HTTP {status} on the old host, whose answers are HTTP 200 (404 for no endpoint at all)"]
    schema = schemas.error_schema(api, path) if error else schemas.success_schema(api, path)
    if not schemas.has(schema):
        return [] if errcode(body) == 0 else [f"no error envelope and no errcode 0: {body!r}"]
    return [f"{schema}: {problem}" for problem in schemas.problems(schema, body)]
