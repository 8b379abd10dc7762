"""Finding and removing what test runs left on a tenant, as ``data/live/sweep.yaml`` describes it.

    python -m common.live.sweep --run-id 20240601093000-1a2b      # what that run left behind
    python -m common.live.sweep --older-than 1h [--dry-run]        # what any run left more than an hour ago

Only objects whose label carries a run id (``match`` in the spec) are ever touched. The same sweep, for the
run's own id, ends each live run with writes allowed that did not pass cleanly (``common/plugin/live.py``).
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from common.cases.config_files import read_config
from common.cases.jsonpath import MISSING, extract, parse_path
from common.cases.model import Auth
from common.cases.templating import CHINA_TIME, Context, Template, TemplateError, compile_template, tenant_zone
from common.cases.yaml_source import PathKey, YamlDocument
from common.core.errors import ConfigError, FrameworkError
from common.core.paths import PROJECT_ROOT
from common.dingtalk.api import ApiRequest, is_error, refused
from common.dingtalk.run_client import Send, open_live_client
from common.http.transport import Response

SPEC_FILE = "data/live/sweep.yaml"
_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class RequestTemplate:
    """A request of the spec before rendering: ``${profile.*}`` and, per object, ``${item}``."""

    api: str
    method: str
    path: str
    query: Template | None
    json: Template | None

    def render(self, variables: Mapping[str, Any], clock: Callable[[], float], zone: tzinfo = CHINA_TIME) -> ApiRequest:
        context = Context(variables, clock, zone)
        query = self.query.render(context) if self.query else {}
        body = self.json.render(context) if self.json else None
        return ApiRequest(self.api, self.method, self.path, query, body, {}, Auth.TOKEN)


@dataclass(frozen=True)
class Kind:
    """One kind of object a run creates: how to list, read, recognise and delete it."""

    name: str
    list_request: RequestTemplate
    page: PathKey
    items: PathKey
    max_pages: int
    read_request: RequestTemplate
    labels: tuple[PathKey, ...]
    """Where the run id may be, in order: e.g. the title, then the content (for a title that is not a string)."""
    created: PathKey
    created_format: str
    match: re.Pattern[str]
    delete_request: RequestTemplate


@dataclass(frozen=True)
class SweepSpec:
    """Every kind the sweep removes, and what cannot be removed (with why)."""

    kinds: tuple[Kind, ...]
    not_removable: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Leftover:
    """An object a run created: its kind, id, label and the run it came from."""

    kind: str
    id: str
    label: str
    run_id: str

    def describe(self) -> str:
        return f"{self.kind} {self.id} {self.label!r} (run {self.run_id})"


@dataclass(frozen=True)
class Selection:
    """Which runs' objects to remove: one run's, and/or any run's older than ``older_than`` seconds."""

    run_id: str | None = None
    older_than: float | None = None

    def wants(self, run_id: str, age: float | None) -> bool:
        if self.run_id is not None and run_id != self.run_id:
            return False
        return self.older_than is None or (age is not None and age >= self.older_than)


@dataclass
class SweepOutcome:
    """What a sweep found, removed and failed to remove."""

    removed: list[Leftover] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


class SweepError(FrameworkError):
    """The sweep could not list or read the tenant's objects."""


@dataclass(frozen=True)
class Sweeper:
    """Runs a spec against a tenant through ``send``."""

    spec: SweepSpec
    send: Send
    profile: Mapping[str, Any]
    clock: Callable[[], float] = time.time

    def sweep(self, selection: Selection, dry_run: bool = False) -> SweepOutcome:
        """Find, then delete (unless ``dry_run``) what the selection wants; an object that cannot be read or
        deleted is a failure, the others are still swept."""
        outcome = SweepOutcome()
        for kind in self.spec.kinds:
            for item in self._ids(kind):
                found = self._read(kind, item, selection)
                if found is None:
                    continue
                if isinstance(found, str):
                    outcome.failed.append(f"{kind.name} {item}: {found}")
                    continue
                problem = None if dry_run else self._delete(kind, found)
                if problem is None:
                    outcome.removed.append(found)
                else:
                    outcome.failed.append(f"{found.describe()}: {problem}")
        return outcome

    def _read(self, kind: Kind, item: Any, selection: Selection) -> Leftover | str | None:
        """The object as a leftover the selection wants; None when it is not one (or gone); why it cannot be read."""
        response = self._call(kind, kind.read_request, {"item": item})
        if _unanswered(kind.read_request.api, response):
            return f"{kind.read_request.path} answered {response.text[:200]}"
        if is_error(kind.read_request.api, response):
            return None  # gone meanwhile: nothing to remove
        matches = [(label, kind.match.search(label)) for label in _texts(response.body, kind.labels)]
        label, found = next(((label, found) for label, found in matches if found is not None), ("", None))
        if found is None:
            return None
        age = self._age(kind, extract(response.body, kind.created))
        if not selection.wants(found.group("run_id"), age):
            return None
        return Leftover(kind.name, str(item), label, found.group("run_id"))

    def _ids(self, kind: Kind) -> list[Any]:
        request = self._render(kind, kind.list_request, {})
        gathered: list[Any] = []
        first_size = None
        for _ in range(kind.max_pages):
            response = self._send(request)
            items = extract(response.body, kind.items) if not is_error(request.api, response) else MISSING
            if not isinstance(items, list):
                raise SweepError(f"sweep {kind.name}: {request.path} answered no list: {response.text[:200]}")
            gathered += items
            first_size = len(items) if first_size is None else first_size
            if not items or len(items) < first_size:
                return gathered
            request = _next_page(request, kind.page)
        raise SweepError(f"sweep {kind.name}: {request.path} still had pages after max_pages={kind.max_pages}")

    def _delete(self, kind: Kind, leftover: Leftover) -> str | None:
        """None once the object is gone (also when an earlier attempt whose answer was lost removed it)."""
        try:
            response = self._call(kind, kind.delete_request, {"item": leftover.id})
            if not is_error(kind.delete_request.api, response):
                return None
            check = self._call(kind, kind.read_request, {"item": leftover.id})
        except SweepError as exc:
            return str(exc)
        if is_error(kind.read_request.api, check) and not _unanswered(kind.read_request.api, check):
            return None
        return f"{kind.delete_request.path} answered {response.text[:200]}"

    def _call(self, kind: Kind, template: RequestTemplate, extra: dict[str, Any]) -> Response:
        return self._send(self._render(kind, template, extra))

    def _render(self, kind: Kind, template: RequestTemplate, extra: dict[str, Any]) -> ApiRequest:
        try:
            return template.render({"profile": self.profile, **extra}, self.clock, tenant_zone(self.profile))
        except TemplateError as exc:
            raise SweepError(f"sweep {kind.name} {template.path}: {exc}") from None

    def _send(self, request: ApiRequest) -> Response:
        try:
            return self.send(request)
        except FrameworkError as exc:
            raise SweepError(f"sweep: {request.method} {request.path}: {exc}") from None

    def _age(self, kind: Kind, created: Any) -> float | None:
        """Seconds since ``created`` (None when it is missing or unreadable), read in the tenant's zone: the
        profile's ``timezone``, else China Standard Time, as ``${datetime(...)}`` renders it."""
        if not isinstance(created, str):
            return None
        try:
            moment = datetime.strptime(created, kind.created_format).replace(tzinfo=tenant_zone(self.profile))
        except ValueError:
            return None
        return self.clock() - moment.timestamp()


def _unanswered(api: str, response: Response) -> bool:
    """True when the server did not do the call (busy, rate-limited, a server error), even after retries."""
    return refused(api, response) is not None or response.status >= 500


def _next_page(request: ApiRequest, page: PathKey) -> ApiRequest:
    """``request`` with the page number at ``page`` (``json.…`` or ``query.…``) one higher."""
    part, inner = page[0], page[1:]
    root = copy.deepcopy(request.json if part == "json" else dict(request.params))
    target = root
    for key in inner[:-1]:
        target = target[key]
    target[inner[-1]] += 1
    return replace(request, json=root) if part == "json" else replace(request, params=root)


def _texts(body: Any, paths: tuple[PathKey, ...]) -> list[str]:
    """The strings at ``paths`` in ``body``, in order."""
    return [value for value in (extract(body, path) for path in paths) if isinstance(value, str)]


# ── the spec file ────────────────────────────────────────────────────────────────────────────────


def load_spec(path: Path, display: str = SPEC_FILE) -> SweepSpec:
    """Read ``data/live/sweep.yaml``; raise ConfigError naming the file, line and key of what is wrong."""
    doc = read_config(path, display, "the sweep spec")
    reader = _SpecReader(doc)
    kinds = reader.get((), "kinds", list)
    not_removable = reader.optional((), "not_removable", list, [])
    return SweepSpec(
        tuple(reader.kind(("kinds", i)) for i in range(len(kinds))),
        tuple(
            (reader.get(("not_removable", i), "name", str), reader.get(("not_removable", i), "why", str))
            for i in range(len(not_removable))
        ),
    )


@dataclass(frozen=True)
class _SpecReader:
    doc: YamlDocument

    def kind(self, at: PathKey) -> Kind:
        listing, read = (*at, "list"), (*at, "read")
        pattern = self.get(at, "match", str)
        try:
            match = re.compile(pattern)
        except re.error as exc:
            raise self.error((*at, "match"), f"not a regular expression: {exc}") from None
        if "run_id" not in match.groupindex:
            raise self.error((*at, "match"), "needs a named group (?P<run_id>...) around the run id")
        if "utc_offset_hours" in self._mapping(read):
            problem = "is no longer read: created times are in the tenant's zone (profile.timezone, else Asia/Shanghai)"
            raise self.error((*read, "utc_offset_hours"), problem)
        page = self.path(listing, "page")
        if page[0] not in ("json", "query") or len(page) < 2:
            raise self.error((*listing, "page"), "the page number's place: json.<path> or query.<name>")
        return Kind(
            name=self.get(at, "name", str),
            list_request=self.request(listing, item=False),
            page=page,
            items=self.path(listing, "items"),
            max_pages=self.optional(listing, "max_pages", int, 100),
            read_request=self.request(read, item=True),
            labels=self.paths(read, "label"),
            created=self.path(read, "created"),
            created_format=self.get(read, "created_format", str),
            match=match,
            delete_request=self.request((*at, "delete"), item=True),
        )

    def request(self, at: PathKey, item: bool) -> RequestTemplate:
        raw = self.get(at, "request", dict)
        at = (*at, "request")
        templates = {}
        for part in ("json", "query"):
            if part in raw:
                templates[part] = self.template((*at, part), raw[part], item)
        return RequestTemplate(
            api=raw.get("api", "oapi"),
            method=raw.get("method", "POST" if "json" in raw else "GET"),
            path=self.get(at, "path", str),
            query=templates.get("query"),
            json=templates.get("json"),
        )

    def template(self, at: PathKey, value: Any, item: bool) -> Template:
        allowed = {"profile", "item"} if item else {"profile"}
        try:
            template = compile_template(value)
        except TemplateError as exc:
            raise self.error(at, str(exc)) from None
        strays = sorted(template.variables - allowed)
        if strays:
            raise self.error(at, f"${{{strays[0]}}} is not known here: use {', '.join(sorted(allowed))}")
        return template

    def paths(self, at: PathKey, key: str) -> tuple[PathKey, ...]:
        """One path, or a list of them."""
        value = self._mapping(at).get(key)
        if not isinstance(value, list):
            return (self.path(at, key),)
        if not value or not all(isinstance(item, str) for item in value):
            raise self.error((*at, key), "must be a path or a list of paths")
        try:
            return tuple(parse_path(item) for item in value)
        except ValueError as exc:
            raise self.error((*at, key), str(exc)) from None

    def path(self, at: PathKey, key: str) -> PathKey:
        try:
            return parse_path(self.get(at, key, str))
        except ValueError as exc:
            raise self.error((*at, key), str(exc)) from None

    def get(self, at: PathKey, key: str, kind: type) -> Any:
        value = self._mapping(at).get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise self.error((*at, key), f"must be {_TYPE_NAMES[kind]}")
        return value

    def optional(self, at: PathKey, key: str, kind: type, default: Any) -> Any:
        return self.get(at, key, kind) if key in self._mapping(at) else default

    def _mapping(self, at: PathKey) -> dict[str, Any]:
        value = extract(self.doc.data, at) if at else self.doc.data
        if not isinstance(value, dict):
            raise self.error(at, "must be a mapping")
        return value

    def error(self, at: PathKey, problem: str) -> ConfigError:
        shown = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in at).lstrip(".")
        return ConfigError(f"{self.doc.file}:{self.doc.line_of(at)} {shown}: {problem}")


_TYPE_NAMES = {str: "a string", int: "a number", list: "a list", dict: "a mapping"}


# ── the command ──────────────────────────────────────────────────────────────────────────────────


def duration(text: str) -> float:
    """``30m``, ``1h``, ``2d`` → seconds (an argparse type)."""
    match = _DURATION.match(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration: use e.g. 30m, 1h, 2d")
    return float(int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def report(outcome: SweepOutcome, spec: SweepSpec, dry_run: bool, out: Any) -> None:
    """One line per object, one per failure, then what cannot be removed."""
    verb = "would remove" if dry_run else "removed"
    for leftover in outcome.removed:
        print(f"{verb} {leftover.describe()}", file=out)
    for failure in outcome.failed:
        print(f"could not remove {failure}", file=out)
    print(f"sweep: {verb} {len(outcome.removed)}, could not remove {len(outcome.failed)}", file=out)
    for name, why in spec.not_removable:
        print(f"not removable: {name}: {why}", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m common.live.sweep",
        description="Remove what test runs left on the tenant of DINGTALK_TARGET=live (settings as for a run).",
    )
    parser.add_argument("--run-id", help="only what this run created (the id starts the titles: apitest <run id>-…)")
    parser.add_argument("--older-than", type=duration, help="only what was created at least this long ago (1h, 2d)")
    parser.add_argument("--dry-run", action="store_true", help="list what would be removed, remove nothing")
    args = parser.parse_args(argv)
    if args.run_id is None and args.older_than is None:
        parser.error("say what to remove: --run-id ID, --older-than DURATION, or both")
    try:
        with open_live_client(PROJECT_ROOT) as (send, profile):
            spec = load_spec(PROJECT_ROOT / SPEC_FILE)
            outcome = Sweeper(spec, send, profile).sweep(Selection(args.run_id, args.older_than), args.dry_run)
    except FrameworkError as exc:
        print(f"sweep: {exc}", file=sys.stderr)
        return 2
    report(outcome, spec, args.dry_run, sys.stdout)
    return 1 if outcome.failed else 0


if __name__ == "__main__":
    sys.exit(main())
