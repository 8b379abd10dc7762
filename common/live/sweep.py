"""Finding and removing what test runs left on a tenant, as ``data/live/sweep.yaml`` describes it.

    python -m common.live.sweep --run-id 20240601093000-1a2b      # what that run left behind
    python -m common.live.sweep --older-than 1h [--dry-run]        # what any run left more than an hour ago

Only objects whose label carries a run id (``match`` in the spec) are ever touched. The same sweep, for the
run's own id, ends each live run with writes allowed that did not pass cleanly (``common/plugin/live.py``).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, TypeVar

from common.cases.config_files import config_schema, read_config
from common.cases.jsonpath import extract, parse_path
from common.cases.model import Auth, Location, Pagination
from common.cases.templating import CHINA_TIME, Context, Template, TemplateError, compile_template, tenant_zone
from common.cases.yaml_source import PathKey, YamlDocument
from common.core.errors import ConfigError, FrameworkError, Mistake
from common.core.paths import PROJECT_ROOT
from common.dingtalk.api import ApiRequest, is_error, refused
from common.dingtalk.paging import WalkProblem, walk_pages
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
    paging: Pagination
    """How ``list`` walks its pages: the page number's place (``page``), the ids (``items``), ``max_pages``."""
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
        """Every id the listing names, page after page."""
        first = self._render(kind, kind.list_request, {})
        gathered: list[Any] = []
        for page in walk_pages(first, kind.paging, lambda request: self._list_page(kind, request)):
            if isinstance(page, WalkProblem):
                raise SweepError(_walk_error(kind, first, page))
            gathered += page.items
        return gathered

    def _list_page(self, kind: Kind, request: ApiRequest) -> Response:
        """One page of the listing; an error answer holds no list of ids, whatever its body."""
        response = self._send(request)
        if is_error(request.api, response):
            raise SweepError(_no_list(kind, request, response))
        return response

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


def _no_list(kind: Kind, request: ApiRequest, response: Response) -> str:
    return f"sweep {kind.name}: {request.path} answered no list: {response.text[:200]}"


def _walk_error(kind: Kind, request: ApiRequest, problem: WalkProblem) -> str:
    """The one line for a listing whose pages make no sense."""
    if problem.kind == "not a list":
        return _no_list(kind, request, problem.response)
    if problem.kind == "endless":
        return f"sweep {kind.name}: {request.path} still had pages after max_pages={kind.paging.max_pages}"
    return f"sweep {kind.name}: {request.path}: {problem.reason}"


def _texts(body: Any, paths: tuple[PathKey, ...]) -> list[str]:
    """The strings at ``paths`` in ``body``, in order."""
    return [value for value in (extract(body, path) for path in paths) if isinstance(value, str)]


# ── the spec file ────────────────────────────────────────────────────────────────────────────────


def load_spec(path: Path, display: str = SPEC_FILE) -> SweepSpec:
    """Read ``data/live/sweep.yaml``; raise ConfigError naming the file, line and field of each mistake."""
    doc = read_config(path, display, "the sweep spec", config_schema("sweep"))
    reader = _SpecReader(doc)
    kinds = [reader.kind(("kinds", index), raw) for index, raw in enumerate(doc.data["kinds"])]
    if reader.mistakes:
        raise ConfigError.of(reader.mistakes)
    return SweepSpec(
        tuple(kind for kind in kinds if kind is not None),
        tuple((raw["name"], raw["why"]) for raw in doc.data.get("not_removable", ())),
    )


_T = TypeVar("_T")


@dataclass
class _SpecReader:
    """Builds the kinds of a spec its schema has checked, noting each mistake a schema cannot see: a path that is
    no path, a ``match`` that is no regular expression or lacks its run id, a page number's place, a template."""

    doc: YamlDocument
    mistakes: list[Mistake] = field(default_factory=list)

    def kind(self, at: PathKey, raw: dict[str, Any]) -> Kind | None:
        listing, read = raw["list"], raw["read"]
        list_request = self.request((*at, "list"), listing["request"], item=False)
        page = self.attempt((*at, "list", "page"), lambda: _page(listing["page"]))
        items = self.attempt((*at, "list", "items"), lambda: parse_path(listing["items"]))
        read_request = self.request((*at, "read"), read["request"], item=True)
        labels = self.attempt((*at, "read", "label"), lambda: _labels(read["label"]))
        created = self.attempt((*at, "read", "created"), lambda: parse_path(read["created"]))
        match = self.attempt((*at, "match"), lambda: _match(raw["match"]))
        delete_request = self.request((*at, "delete"), raw["delete"]["request"], item=True)
        parts = (list_request, page, items, read_request, labels, created, match, delete_request)
        if any(part is None for part in parts):
            return None
        return Kind(
            name=raw["name"],
            list_request=list_request,
            paging=Pagination(items=items, max_pages=listing.get("max_pages", 100), page=page),
            read_request=read_request,
            labels=labels,
            created=created,
            created_format=read["created_format"],
            match=match,
            delete_request=delete_request,
        )

    def request(self, at: PathKey, raw: dict[str, Any], item: bool) -> RequestTemplate | None:
        at = (*at, "request")
        templates = {
            part: self.attempt((*at, part), lambda part=part: _template(raw[part], item))
            for part in ("json", "query")
            if part in raw
        }
        if None in templates.values():
            return None
        return RequestTemplate(
            api=raw.get("api", "oapi"),
            method=raw.get("method", "POST" if "json" in raw else "GET"),
            path=raw["path"],
            query=templates.get("query"),
            json=templates.get("json"),
        )

    def attempt(self, at: PathKey, build: Callable[[], _T]) -> _T | None:
        """``build()``, or None with its mistake noted."""
        try:
            return build()
        except ValueError as exc:
            self.mistakes.append(Mistake(self.doc.source(at), str(exc)))
            return None


def _page(text: str) -> Location:
    page = parse_path(text)
    if page[0] not in ("json", "query") or len(page) < 2:
        raise ValueError("the page number's place: json.<path> or query.<name>")
    return Location(str(page[0]), page[1:])


def _labels(value: str | list[str]) -> tuple[PathKey, ...]:
    """One path, or a list of them."""
    return tuple(parse_path(text) for text in ([value] if isinstance(value, str) else value))


def _match(pattern: str) -> re.Pattern[str]:
    try:
        match = re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a regular expression: {exc}") from None
    if "run_id" not in match.groupindex:
        raise ValueError("needs a named group (?P<run_id>...) around the run id")
    return match


def _template(value: Any, item: bool) -> Template:
    """A request part's template: it may use ``${profile.*}`` and, for one object, ``${item}``."""
    allowed = {"profile", "item"} if item else {"profile"}
    template = compile_template(value)
    strays = sorted(template.variables - allowed)
    if strays:
        raise ValueError(f"${{{strays[0]}}} is not known here: use {', '.join(sorted(allowed))}")
    return template


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
