"""YAML case file → validated ``Case`` objects, once, at collection.

Every problem is one ``CaseError`` line naming the file, line, case and field, and a case says all of its
problems at once: each case-format violation and each later check's error, one line each, in one
``InvalidCase``. A bad case is returned beside the good ones, so one typo never hides the rest of a file; the
mistakes of the file's own keys are one ``InvalidCase`` (``<file>``) together.

A case with a ``parametrize:`` table is one ``Case`` per row: the row's values are its ``params`` (variables of
every request and expectation) and its test id names the row, ``hrm:size-limits[max]`` (the row's ``id:``) or
``hrm:size-limits[0]`` (its index). A bad row fails alone, naming ``parametrize[<index>]``.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from common.cases.comparators import expected_problem
from common.cases.endpoints import Endpoint, writing_endpoints
from common.cases.jsonpath import MISSING, extract, parse_path
from common.cases.model import (
    Auth,
    Case,
    Expectation,
    FieldCheck,
    InvalidCase,
    Location,
    Pagination,
    RequestSpec,
    Save,
    Step,
)
from common.cases.profile import documented_counts
from common.cases.schemas import CASE_FORMAT, SchemaStore
from common.cases.templating import Template, TemplateError, compile_template
from common.cases.yaml_schema import compile_schema, violations
from common.cases.yaml_source import PathKey, YamlDocument, YamlSyntaxError, field_name, read_yaml
from common.core.errors import CaseError, Mistake, Source, lines_of

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

BUILTIN_VARIABLES = frozenset({"run_id", "uid", "profile", "appkey"})
"""Variables every step may use: the run's id, an id unique to this case execution, the tenant profile,
and the app's key (never its secret)."""
LOOP_VARIABLE = "item"
COUNTS_KEY = "counts"
"""The tenant profile's optional mapping of exact counts: cases comparing with one it lacks are skipped."""
TABLE = "parametrize"
"""A case's table of rows: each row a mapping of variable → value, one test per row."""
ROW_ID = "id"
"""A row's optional name (not a variable): its test id is ``case[name]``, else ``case[index]``."""

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NO_NAMES: frozenset[str] = frozenset()
_T = TypeVar("_T")


@dataclass
class _Where:
    """The position of a value while a case is being built (for error lines), and what is known of the case."""

    doc: YamlDocument
    case_path: PathKey
    case_id: str | None
    errors: list[CaseError] = field(default_factory=list)
    broken: list[PathKey] = field(default_factory=list)
    """Where the case breaks the case format: nothing there is built, so no error merely repeats the violation."""
    used: set[str] = field(default_factory=set)
    """The roots of the variables the case's templates read."""
    sources: dict[int | None, Source] = field(default_factory=dict)
    """The case's ``Source`` per line, made once each."""
    templates: dict[Hashable, Template] = field(default_factory=dict)
    """The loader's values compiled so far (cases repeat ``${profile.admin_userid}``, ``0``, request bodies...)."""

    def error(self, relative: PathKey, problem: str) -> CaseError:
        return CaseError(Mistake(self.doc.source(relative, self.case_path, self.case_id), problem))

    def source(self, relative: PathKey) -> Source:
        """Where ``relative`` is written; the case and its single step, on one line, share one ``Source``."""
        line = self.doc.line_of((*self.case_path, *relative))
        made = self.sources.get(line)
        if made is None:
            made = self.sources[line] = Source(self.doc.file, line)
        return made

    def is_broken(self, relative: PathKey) -> bool:
        """True when a case-format violation lies at, inside or around ``relative``."""
        if not self.broken:
            return False
        return any(path[: len(relative)] == relative or relative[: len(path)] == path for path in self.broken)

    def attempt(self, relative: PathKey, build: Callable[[], _T]) -> _T | None:
        """``build()``; None, its error noted, when it fails, or when the case format is broken there."""
        if self.is_broken(relative):
            return None
        try:
            return build()
        except CaseError as error:
            self.errors.append(error)
            return None
        except (KeyError, TypeError, AttributeError, ValueError):
            if not self.broken:  # a shape the schema lets through must not go unreported
                raise
            return None  # a consequence of a case-format violation already reported


@dataclass(frozen=True)
class _Row:
    """One row of a case's table: its label in the test id, its values, and its own mistakes."""

    label: str
    values: dict[str, Any]
    errors: list[CaseError]
    name: str | None
    """The row's ``id:`` as written (its label, unless an earlier row has it too)."""


class CaseLoader:
    """Loads case files against one schema store and one tenant profile."""

    def __init__(
        self,
        schemas: SchemaStore,
        profile: Mapping[str, Any],
        project_root: Path,
        writing: Mapping[tuple[str, str], Endpoint] | None = None,
        read: Callable[[Path, str], YamlDocument] = read_yaml,
    ) -> None:
        self.schemas = schemas
        self.read = read
        """Reads a case file: its path and the name it is shown under (a ``ParseCache``'s ``read`` keeps parses)."""
        self.profile = profile
        self.project_root = project_root
        # the endpoints that write, by (api, path); by default data/spec/endpoints.yaml's
        self.writing = writing_endpoints() if writing is None else writing
        self._unpinned: set[str] = set()
        self._templates: dict[Hashable, Template] = {}
        format_schema = json.loads((schemas.root / f"{CASE_FORMAT}.json").read_text(encoding="utf-8"))
        self._file_validator = compile_schema(format_schema)

    def load(self, path: Path) -> list[Case | InvalidCase]:
        """Every case of one file, valid or not; a file that cannot be read at all gives one InvalidCase."""
        display = self._display(path)
        stem = path.stem
        try:
            doc = self.read(path, display)
        except YamlSyntaxError as exc:
            return [InvalidCase(f"{stem}:<file>", str(exc.mistake(display)))]
        except OSError as exc:
            return [InvalidCase(f"{stem}:<file>", str(Mistake(Source(display), f"cannot read: {exc.strerror}")))]
        case_errors, file_errors = self._schema_errors(doc)
        cases = doc.data.get("cases") if isinstance(doc.data, dict) else None
        loaded: list[Case | InvalidCase] = []
        seen: dict[str, int] = {}
        for index, raw in enumerate(cases if isinstance(cases, list) else []):
            case_id = raw.get("id") if isinstance(raw, dict) else None
            test_id = f"{stem}:{case_id or f'cases[{index}]'}"
            label = case_id if isinstance(case_id, str) else f"#{index + 1}"
            where = _Where(doc, ("cases", index), label, templates=self._templates)
            row_errors: dict[int, list[CaseError]] = {}
            for violation in violations(case_errors.get(index, []), doc, ("cases", index), label, _describe):
                relative, error = violation.broken, CaseError(violation.mistake)
                if len(relative) >= 2 and relative[0] == TABLE and isinstance(relative[1], int):
                    row_errors.setdefault(relative[1], []).append(error)  # a bad row fails alone
                else:
                    where.broken.append(relative)
                    where.errors.append(error)
            if isinstance(case_id, str) and case_id in seen:
                where.errors.append(
                    where.error(("id",), f"duplicate id: case {seen[case_id] + 1} of this file has it too")
                )
            elif isinstance(case_id, str):
                seen[case_id] = index
            loaded += self._case_or_rows(raw, doc, where, test_id, row_errors)
        if file_errors:  # the file's own mistakes together, its cases' beside them; none of its cases runs
            file_item = InvalidCase(f"{stem}:<file>", _lines(file_errors))
            return [file_item, *(item for item in loaded if isinstance(item, InvalidCase))]
        return loaded

    def forget_templates(self) -> None:
        """Drop the templates shared by the cases loaded so far (a file loaded later compiles its own)."""
        self._templates.clear()

    def _display(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.project_root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def _schema_errors(self, doc: YamlDocument) -> tuple[dict[int, list[ValidationError]], list[CaseError]]:
        """Case-format violations: grouped by case index, and those of the file itself."""
        by_case: dict[int, list[ValidationError]] = {}
        file_level: list[ValidationError] = []
        for error in self._file_validator.iter_errors(doc.data):
            path = list(error.absolute_path)
            if len(path) >= 2 and path[0] == "cases" and isinstance(path[1], int):
                by_case.setdefault(path[1], []).append(error)
            else:
                file_level.append(error)
        return by_case, [CaseError(violation.mistake) for violation in violations(file_level, doc, describe=_describe)]

    def _case_or_rows(
        self, raw: Any, doc: YamlDocument, where: _Where, test_id: str, row_errors: dict[int, list[CaseError]]
    ) -> list[Case | InvalidCase]:
        """The case, or one case per row of its table; a case with mistakes is one InvalidCase naming them all."""
        table = raw.get(TABLE) if isinstance(raw, dict) else None
        rows = _rows(table, row_errors) if isinstance(table, list) else []
        variables = frozenset(name for row in rows for name in row.values)
        buildable = isinstance(raw, dict) and () not in where.broken
        case = self._build_case(raw, doc, where, variables) if buildable else None
        compiled: dict[int, Template | None] = {}
        for index, row in enumerate(rows):
            row.errors.extend(_row_problems(rows, index, case, where))
            if not row.errors:
                compiled[index] = self._row_values(row, index, where)
        if where.errors or case is None:
            return [InvalidCase(test_id, _lines([*where.errors, *(error for row in rows for error in row.errors)]))]
        if not rows:
            return [case]
        return [
            InvalidCase(f"{test_id}[{row.label}]", _lines(row.errors))
            if row.errors
            else replace(case, params=row.values, row=row.label, row_values=compiled[index])
            for index, row in enumerate(rows)
        ]

    def _build_case(
        self, raw: dict[str, Any], doc: YamlDocument, where: _Where, variables: frozenset[str]
    ) -> Case | None:
        """The case (without its table's values), or None when it has a mistake (each one noted in ``where``)."""
        file_data = doc.data
        if "steps" in raw:
            steps_raw = [(("steps", i), step) for i, step in enumerate(raw["steps"])]
        else:
            single = {key: raw[key] for key in ("request", "expect", "save", "paginate") if key in raw}
            steps_raw = [((), single)]
        self._unpinned = set()
        known = set(BUILTIN_VARIABLES) | variables
        steps = []
        for relative, step_raw in steps_raw:
            steps.append(self._build_step(step_raw, where, relative, known, saved_earlier=frozenset()))
            known.update(_saved_names(step_raw, where, relative, variables))
        saved = frozenset(known - BUILTIN_VARIABLES - variables)
        teardown = []
        teardown_raw = [(("teardown", i), step) for i, step in enumerate(raw.get("teardown", []))]
        for relative, step_raw in teardown_raw:
            teardown.append(self._build_step(step_raw, where, relative, known, saved_earlier=saved))
            known.update(_saved_names(step_raw, where, relative, variables))
        sent = [(relative, self._request_of(step_raw)) for relative, step_raw in (*steps_raw, *teardown_raw)]
        writes = where.attempt(("writes",), lambda: _writes(raw, sent, where))
        built = [step for step in (*steps, *teardown) if step is not None]
        if len(built) < len(steps) + len(teardown) or where.errors or where.broken or writes is None:
            return None
        return Case(
            id=raw["id"],
            title=raw["title"],
            source=where.source(()),
            epic=file_data.get("epic", ""),
            feature=file_data.get("feature", ""),
            story=raw.get("story", built[0].request.path),
            severity=raw.get("severity", "normal"),
            tags=tuple(raw.get("tags", ())),
            writes=writes,
            steps=tuple(step for step in steps if step is not None),
            teardown=tuple(step for step in teardown if step is not None),
            sandbox_only=raw.get("sandbox_only"),
            unpinned=tuple(sorted(self._unpinned)),
        )

    def _build_step(
        self,
        raw: Any,
        where: _Where,
        at: PathKey,
        known: set[str],
        saved_earlier: frozenset[str],
    ) -> Step | None:
        """One step, or None when part of it is wrong (every mistake noted in ``where``)."""
        if not isinstance(raw, dict):
            return None
        errors_before = len(where.errors)
        request = self._build_request(raw.get("request"), where, (*at, "request"))
        expect = None
        expect_raw = raw.get("expect", {})
        if request is not None:
            expect = self._build_expect(expect_raw, request, where, (*at, "expect"))
        elif isinstance(expect_raw, dict):  # the request is wrong: the expectations may be too
            _field_checks(expect_raw.get("body", {}), where, (*at, "expect", "body"))
        for_each = None
        if "for_each" in raw:
            for_each = where.attempt((*at, "for_each"), lambda: _template(raw["for_each"], where, (*at, "for_each")))
        until = _field_checks(raw.get("until", {}), where, (*at, "until"))
        when = _field_checks(raw.get("when", {}), where, (*at, "when"))
        for check in when:
            if str(check.parts[0]) not in known:
                problem = f"when reads ${{{check.parts[0]}}}, which no earlier step saves"
                where.errors.append(where.error((*at, "when", check.path), problem))
        paginate = None
        if "paginate" in raw:
            paginate = where.attempt((*at, "paginate"), lambda: _pagination(raw["paginate"], where, (*at, "paginate")))
        saves = []
        save_raw = raw.get("save", {})
        for name, path in save_raw.items() if isinstance(save_raw, dict) else ():
            saves.append(
                where.attempt((*at, "save", name), lambda n=name, p=path: _save(n, p, where, (*at, "save", n)))
            )
        visible = known | {LOOP_VARIABLE} if "for_each" in raw else known
        self._check_references(raw, at, where, visible, for_each)
        if len(where.errors) > errors_before or where.broken:
            return None
        if request is None or expect is None or None in saves or ("paginate" in raw and paginate is None):
            return None
        templates = [request.query, request.json, request.headers, for_each]
        collected = paginate.collect if paginate else ()
        checks = (*expect.body, *until, *when, *collected, *expect.errcode, *expect.code)
        templates += [check.expected for check in checks]
        used = frozenset().union(*(t.variables for t in templates if t is not None))
        return Step(
            name=raw.get("name", f"{request.method} {request.path}"),
            request=request,
            expect=expect,
            saves=tuple(save for save in saves if save is not None),
            source=where.source(at),
            for_each=for_each,
            until=until,
            paginate=paginate,
            needs=(used & saved_earlier) or _NO_NAMES,  # most steps need nothing saved: one shared empty set
            when=when,
        )

    def _row_values(self, row: _Row, index: int, where: _Where) -> Template | None:
        """A row's values compiled, when they hold placeholders: these may use what every case has
        (``${profile.*}``, ``${uid}``, ``${run_id}``, ``${appkey}``, the functions), rendered when the row runs.
        Their mistakes join the row's."""
        if not any(isinstance(leaf, str) and "${" in leaf for _, leaf in _leaves(row.values, ())):
            return None
        found = len(row.errors)
        for leaf_at, leaf in _leaves(row.values, (TABLE, index)):
            if not isinstance(leaf, str) or "${" not in leaf:
                continue
            try:
                template = _template(leaf, where, leaf_at)
                for reference in template.references:
                    if reference[0] not in BUILTIN_VARIABLES:
                        problem = (
                            f"a row's value may use ${{profile.*}}, ${{uid}}, ${{run_id}}, ${{appkey}} and the "
                            f"functions, not ${{{reference[0]}}}"
                        )
                        row.errors.append(where.error(leaf_at, problem))
                    elif reference[0] == "profile":
                        self._check_profile_reference(reference, where, leaf_at)
            except CaseError as error:
                row.errors.append(error)
        return compile_template(row.values) if len(row.errors) == found else None

    def _request_of(self, step: Any) -> tuple[str, str, str] | None:
        """A step's method, path and what the endpoint spec says it does ('' for a read), from its YAML."""
        raw = step.get("request") if isinstance(step, dict) else None
        if not isinstance(raw, dict) or not isinstance(raw.get("path"), str):
            return None
        endpoint = self.writing.get((raw.get("api", "oapi"), raw["path"]))
        method = raw.get("method", "POST" if "json" in raw else "GET")
        return str(method), raw["path"], (endpoint.writes or "") if endpoint is not None else ""

    def _build_request(self, raw: Any, where: _Where, at: PathKey) -> RequestSpec | None:
        if not isinstance(raw, dict):
            return None
        errors_before = len(where.errors)
        parts = {
            key: where.attempt((*at, key), lambda key=key: _template(raw[key], where, (*at, key)))
            for key in ("query", "json", "headers")
            if key in raw
        }
        if len(where.errors) > errors_before or where.is_broken(at) or None in parts.values():
            return None
        method = raw.get("method", "POST" if "json" in raw else "GET")
        api = raw.get("api", "oapi")
        endpoint = self.writing.get((api, raw["path"]))
        return RequestSpec(
            api=api,
            method=method,
            path=raw["path"],
            query=parts.get("query"),
            json=parts.get("json"),
            headers=parts.get("headers"),
            auth=Auth(raw.get("auth", "token")),
            creates=endpoint is not None and endpoint.creates,
            writes=endpoint.writes if endpoint is not None else None,
            object=endpoint.object if endpoint is not None else "",
        )

    def _build_expect(self, raw: Any, request: RequestSpec, where: _Where, at: PathKey) -> Expectation | None:
        if not isinstance(raw, dict):
            return None
        errors_before = len(where.errors)
        if request.api != "oapi" and "errcode" in raw:
            where.errors.append(
                where.error((*at, "errcode"), "errcode is the old host's; on api the error is in status and code")
            )
        if request.api == "oapi" and "code" in raw:
            where.errors.append(where.error((*at, "code"), "code is the new host's; on oapi use errcode"))
        errcode_raw = raw.get("errcode", 0 if request.api == "oapi" else "any")
        errcode = () if errcode_raw == "any" else _field_checks({"errcode": errcode_raw}, where, at)
        code = _field_checks({"code": raw["code"]}, where, at) if "code" in raw else ()
        status = raw.get("status", 200)
        schema = raw.get("schema")
        if schema is not None and not where.is_broken((*at, "schema")) and not self.schemas.has(schema):
            hint = self.schemas.suggest(schema)
            did_you_mean = f"; did you mean '{hint}'?" if hint else ""
            problem = f"unknown schema '{schema}' (no schemas/{schema}.json){did_you_mean}"
            where.errors.append(where.error((*at, "schema"), problem))
        body = _field_checks(raw.get("body", {}), where, (*at, "body"))
        if len(where.errors) > errors_before or any(where.is_broken((*at, key)) for key in ("status", "errcode")):
            return None
        expectation = Expectation(status=status, errcode=errcode, code=code, schema=schema, body=body)
        own = SchemaStore.success_schema(request.api, request.path)
        if schema is None and not expects_error(expectation) and not self.schemas.has(own):
            where.errors.append(
                where.error(
                    (*at[:-1], "request", "path"),
                    f"no response schema for {request.method} {request.path}: add schemas/{own}.json "
                    "or name one in expect.schema",
                )
            )
            return None
        return expectation

    def _check_references(
        self, raw: dict[str, Any], at: PathKey, where: _Where, visible: set[str], for_each: Template | None
    ) -> None:
        """Every ``${name}`` must be a built-in, a table's variable, saved by an earlier step, or (in for_each)
        the item; each one that is not is noted."""
        for relative, value in _leaves(raw, at):
            if not isinstance(value, str) or "${" not in value or where.is_broken(relative):
                continue
            try:
                template = _template(value, where, relative)
            except CaseError as error:
                where.errors.append(error)
                continue
            for reference in template.references:
                root = str(reference[0])
                where.used.add(root)
                if root not in visible:
                    hint = difflib.get_close_matches(root, visible, n=1)
                    did_you_mean = f"; did you mean ${{{hint[0]}}}?" if hint else ""
                    known = ", ".join(sorted(visible - {"profile"}))
                    problem = f"undefined variable ${{{root}}}{did_you_mean} (defined here: {known}, profile.*)"
                    where.errors.append(where.error(relative, problem))
                elif root == "profile":
                    where.attempt(relative, lambda r=reference, a=relative: self._check_profile_reference(r, where, a))
        if for_each is not None and LOOP_VARIABLE in for_each.variables:
            where.errors.append(where.error((*at, "for_each"), f"for_each cannot use ${{{LOOP_VARIABLE}}} itself"))

    def _check_profile_reference(self, reference: tuple[str | int, ...], where: _Where, at: PathKey) -> None:
        if len(reference) < 2:
            return
        unpinned = len(reference) > 2 and extract(self.profile, reference[1:3]) is MISSING
        if reference[1] == COUNTS_KEY and unpinned and reference[2] in documented_counts():
            self._unpinned.add(str(reference[2]))  # a living tenant's count: the case is skipped, not refused
            return
        if reference[1] in self.profile:
            if extract(self.profile, reference[1:]) is MISSING:
                raise where.error(at, f"the tenant profile has nothing at {field_name(reference)}")
            return
        key = str(reference[1])
        hint = difflib.get_close_matches(key, [str(k) for k in self.profile], n=1)
        did_you_mean = f"; did you mean profile.{hint[0]}?" if hint else ""
        raise where.error(at, f"the tenant profile has no key '{key}'{did_you_mean}")


def _writes(raw: Mapping[str, Any], sent: Iterable[tuple[PathKey, tuple[str, str, str] | None]], where: _Where) -> bool:
    """Whether the case writes, from the endpoint spec (``sent``: each step's method, path and what the spec
    says it does, or None); a ``writes:`` the case gives must agree with it."""
    writing = [(relative, request) for relative, request in sent if request is not None and request[2]]
    claimed = raw.get("writes")
    if claimed is False and writing:
        relative, (method, path, does) = writing[0]
        raise where.error(
            ("writes",),
            f"writes: false, but {field_name((*relative, 'request')) or 'request'} sends {method} "
            f"{path}, which data/spec/endpoints.yaml says does {does}: remove writes: false",
        )
    if claimed is True and not writing:
        raise where.error(
            ("writes",),
            "writes: true, but no request of this case goes to an endpoint that data/spec/endpoints.yaml marks as "
            "writing: remove it (writes is derived from the spec)",
        )
    return bool(writing)


def expects_error(expect: Expectation) -> bool:
    """True when only an error answer can meet these expectations."""
    return expect.status >= 400 or bool(expect.code) or any(_expects_nonzero(check) for check in expect.errcode)


def _expects_nonzero(check: FieldCheck) -> bool:
    """True when an errcode assertion can only pass for an error (``{ne: 0}``, ``40035``, ``{in: [...]}``)."""
    expected = check.expected.source
    if check.comparator == "eq":
        return expected != 0
    if check.comparator == "ne":
        return expected == 0
    if check.comparator == "in":
        return isinstance(expected, list) and 0 not in expected
    return check.comparator in {"gt", "lt"}


def _template(value: Any, where: _Where, at: PathKey) -> Template:
    """``value`` compiled, once per loader for each value that can be told apart exactly (see ``_shared_key``)."""
    key = _shared_key(value)
    if key is not None and key in where.templates:
        return where.templates[key]
    try:
        template = compile_template(value)
    except TemplateError as exc:
        for leaf_at, leaf in _leaves(value, at):
            try:
                compile_template(leaf)
            except TemplateError as leaf_exc:
                raise where.error(leaf_at, str(leaf_exc)) from None
        raise where.error(at, str(exc)) from None
    if key is not None:
        where.templates[key] = template
    return template


def _shared_key(value: Any) -> Hashable | None:
    """A key equal only for values that compile alike, the types of every part and key included (``1`` and
    ``True`` apart); None for a value that is never shared: one holding a float (``-0.0`` equals ``0.0``) or a
    text with a call (its meaning follows the functions registered when it is compiled)."""
    if isinstance(value, dict):
        items = [(_shared_key(key), _shared_key(item)) for key, item in value.items()]
        return None if any(None in item for item in items) else (dict, tuple(items))
    if isinstance(value, list):
        parts = [_shared_key(item) for item in value]
        return None if None in parts else (list, tuple(parts))
    if isinstance(value, str):
        return None if "(" in value else (str, value)
    if isinstance(value, int) or value is None:  # bool is an int: its type keeps it apart
        return (type(value), value)
    return None


def _field_checks(raw: Any, where: _Where, at: PathKey) -> tuple[FieldCheck, ...]:
    """The assertions of a ``body``/``until``/``when``/``collect`` mapping; each bad one is noted and left out."""
    checks = []
    for path, expected in raw.items() if isinstance(raw, dict) else ():
        if where.is_broken((*at, path)):
            continue
        try:
            parts = parse_path(path)
        except ValueError as exc:
            where.errors.append(where.error((*at, path), str(exc)))
            continue
        comparators = expected if isinstance(expected, dict) else {"eq": expected}
        for name, value in comparators.items():
            template = where.attempt((*at, path, name), lambda v=value, k=(*at, path, name): _template(v, where, k))
            if template is None:
                continue
            unusable = expected_problem(name, value) if template.is_static else None
            if unusable is not None:
                where.errors.append(where.error((*at, path, name), unusable))
                continue
            checks.append(FieldCheck(path, parts, name, template, where.source((*at, path))))
    return tuple(checks)


DEFAULT_MAX_PAGES = 100


def _pagination(raw: Mapping[str, Any], where: _Where, at: PathKey) -> Pagination:
    def path(key: str) -> tuple[str | int, ...] | None:
        if key not in raw:
            return None
        try:
            return parse_path(raw[key])
        except ValueError as exc:
            raise where.error((*at, key), str(exc)) from None

    def location(key: str) -> Location | None:
        parts = path(key)
        return None if parts is None else Location(str(parts[0]), parts[1:])

    return Pagination(
        items=path("items") or (),
        max_pages=raw.get("max_pages", DEFAULT_MAX_PAGES),
        cursor=location("cursor"),
        next=path("next"),
        has_more=path("has_more"),
        page=location("page"),
        collect=_field_checks(raw.get("collect", {}), where, (*at, "collect")),
    )


def _save(name: str, path: str, where: _Where, at: PathKey) -> Save:
    try:
        return Save(name, path, parse_path(path))
    except ValueError as exc:
        raise where.error(at, str(exc)) from None


def _leaves(value: Any, at: PathKey) -> Iterable[tuple[PathKey, Any]]:
    """Every scalar inside ``value`` with its path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*at, index))
    else:
        yield at, value


def _describe(error: ValidationError) -> str | None:
    """The case format's own wording of a violation: a tag, a key under a table's row, save or expect.body, the
    choice between request and steps, an empty row (None: the common wording)."""
    validator, instance = error.validator, error.instance
    path = tuple(error.absolute_path)
    if "propertyNames" in error.schema_path:
        return _describe_key(str(instance), path)
    if len(path) >= 2 and path[-2] == "tags" and validator == "pattern":
        return f"{instance!r} is not a usable tag: tags become pytest markers (-m NAME), so use letters, digits and _"
    if len(path) >= 2 and path[-2] == "tags" and validator == "not":
        return f"'{instance}' is one of pytest's own markers: tags become pytest markers, so name the tag otherwise"
    if _request_or_steps(error):
        return "give either 'request' (one request, with expect/save) or 'steps' (several), not both or neither"
    if validator in ("minItems", "minProperties", "minLength") and len(path) >= 2 and path[-2] == TABLE:
        return "a row needs a variable besides its id"
    return None


def _request_or_steps(error: ValidationError) -> bool:
    """True for the case's "either request or steps" violation."""
    properties = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    return error.validator == "oneOf" and "request" in properties and "steps" in properties


def _describe_key(key: str, at: PathKey) -> str:
    """Why a key is not a usable path (under expect.body) or variable name (under save or a table's row)."""
    if TABLE not in at:
        try:
            parse_path(key)
        except ValueError as exc:
            return str(exc)
    return f"'{key}' is not a variable name: use letters, digits and _, not starting with a digit"


def _rows(table: list[Any], schema_errors: dict[int, list[CaseError]]) -> list[_Row]:
    """The rows of a table with their case-format violations (a row that is not a mapping, a bad name...)."""
    rows: list[_Row] = []
    for index, raw in enumerate(table):
        values = {key: value for key, value in raw.items() if key != ROW_ID} if isinstance(raw, dict) else {}
        row_id = raw.get(ROW_ID) if isinstance(raw, dict) else None
        name = row_id if isinstance(row_id, str) and index not in schema_errors else None
        label = name if name is not None and all(row.name != name for row in rows) else str(index)
        rows.append(_Row(label, values, list(schema_errors.get(index, [])), name))
    return rows


def _row_problems(rows: list[_Row], index: int, case: Case | None, where: _Where) -> list[CaseError]:
    """What is wrong with one row against the case and the other rows: a variable the case uses that the row
    lacks, one the case never uses, a built-in's name, a placeholder, a name another row has, a value a
    comparator cannot use."""
    row, at, problems = rows[index], (TABLE, index), []
    names = sorted({name for other in rows for name in other.values})
    twin = next((i for i, other in enumerate(rows[:index]) if row.name and other.name == row.name), None)
    if twin is not None:
        problems.append(where.error((*at, ROW_ID), f"row id '{row.name}' again: parametrize[{twin}] has it"))
    if not names and not row.errors:
        problems.append(where.error(at, "a row needs a variable besides its id"))
    if row.errors and not row.values:
        return problems  # not a mapping: "must be an object" says it
    for name in names:
        if name not in row.values and name in where.used:
            problems.append(where.error(at, f"missing '{name}': the case uses ${{{name}}}, so every row gives it"))
    for name in row.values:
        if not _IDENTIFIER.fullmatch(str(name)):
            continue  # "is not a variable name" says it
        if name in BUILTIN_VARIABLES or name == LOOP_VARIABLE:
            problems.append(where.error((*at, name), f"${{{name}}} is built in: give the variable another name"))
            continue
        if case is not None and name not in where.used:
            hint = difflib.get_close_matches(name, sorted(where.used - BUILTIN_VARIABLES), n=1)
            did_you_mean = f"; did you mean '{hint[0]}'?" if hint else ""
            problems.append(where.error((*at, name), f"the case never uses ${{{name}}}{did_you_mean}"))
    if case is not None:
        problems += _unusable_row_values(case, row, at, where)
    return problems


def _unusable_row_values(case: Case, row: _Row, at: PathKey, where: _Where) -> list[CaseError]:
    """A row value that a comparator given exactly ``${name}`` cannot use, e.g. ``len_le: ${size}`` with a text."""
    problems = []
    for step in (*case.steps, *case.teardown):
        collected = step.paginate.collect if step.paginate else ()
        for check in (*step.expect.errcode, *step.expect.code, *step.expect.body, *step.until, *step.when, *collected):
            source = check.expected.source
            name = source[2:-1].strip() if isinstance(source, str) and source.startswith("${") else None
            if name not in row.values or source != f"${{{name}}}" or "${" in str(row.values[name]):
                continue
            problem = expected_problem(check.comparator, row.values[name])
            if problem is not None:
                used_as = f"{check.path}: {{{check.comparator}: {source}}} on line {check.source.line}"
                problems.append(where.error((*at, name), f"{problem}, for {used_as}"))
    return problems


def _saved_names(raw: Any, where: _Where, at: PathKey, table: frozenset[str]) -> set[str]:
    """The variables a step saves (for the steps after it); saving over a table's variable is a mistake."""
    save = raw.get("save") if isinstance(raw, dict) else None
    names = {name for name in save if isinstance(name, str)} if isinstance(save, dict) else set()
    for name in sorted(names & table):
        problem = f"${{{name}}} is a variable of the parametrize table: save under another name"
        where.errors.append(where.error((*at, "save", name), problem))
    return names


def _lines(errors: Iterable[CaseError]) -> str:
    """Errors as lines, in the order of the file, each once."""
    return lines_of(error.mistake for error in errors)
