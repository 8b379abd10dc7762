"""YAML case file → validated ``Case`` objects, once, at collection.

Every problem becomes one ``CaseError`` line naming the file, line, case and field. A bad case is
returned as an ``InvalidCase`` beside the good ones, so one typo never hides the rest of a file.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

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
    Source,
    Step,
)
from common.cases.profile import documented_counts
from common.cases.schemas import CASE_FORMAT, SchemaStore
from common.cases.templating import Template, TemplateError, compile_template
from common.cases.yaml_source import PathKey, YamlDocument, YamlSyntaxError, read_yaml
from common.core.errors import CaseError

BUILTIN_VARIABLES = frozenset({"run_id", "uid", "profile", "appkey"})
"""Variables every step may use: the run's id, an id unique to this case execution, the tenant profile,
and the app's key (never its secret)."""
LOOP_VARIABLE = "item"
COUNTS_KEY = "counts"
"""The tenant profile's optional mapping of exact counts: cases comparing with one it lacks are skipped."""


@dataclass(frozen=True)
class _Where:
    """The position of a value while a case is being built: for error lines."""

    doc: YamlDocument
    case_path: PathKey
    case_id: str | None

    def error(self, relative: PathKey, problem: str) -> CaseError:
        line = self.doc.line_of((*self.case_path, *relative))
        return CaseError(self.doc.file, line, self.case_id, _field_name(relative), problem)

    def source(self, relative: PathKey) -> Source:
        return Source(self.doc.file, self.doc.line_of((*self.case_path, *relative)))


class CaseLoader:
    """Loads case files against one schema store and one tenant profile."""

    def __init__(
        self,
        schemas: SchemaStore,
        profile: Mapping[str, Any],
        project_root: Path,
        writing: Mapping[tuple[str, str], Endpoint] | None = None,
    ) -> None:
        self.schemas = schemas
        self.profile = profile
        self.project_root = project_root
        # the endpoints that write, by (api, path); by default data/spec/endpoints.yaml's
        self.writing = writing_endpoints() if writing is None else writing
        self._unpinned: set[str] = set()
        format_schema = json.loads((schemas.root / f"{CASE_FORMAT}.json").read_text(encoding="utf-8"))
        self._file_validator = Draft202012Validator(_definitions_inlined(format_schema, format_schema))

    def load(self, path: Path) -> list[Case | InvalidCase]:
        """Every case of one file, valid or not; a file that cannot be read at all gives one InvalidCase."""
        display = self._display(path)
        stem = path.stem
        try:
            doc = read_yaml(path, display)
        except YamlSyntaxError as exc:
            error = CaseError(display, exc.line, None, "", f"not valid YAML: {exc.problem}")
            return [InvalidCase(f"{stem}:<file>", str(error))]
        except OSError as exc:
            return [InvalidCase(f"{stem}:<file>", f"{display}: cannot read: {exc.strerror}")]
        case_errors, file_errors = self._schema_errors(doc)
        if file_errors:
            return [InvalidCase(f"{stem}:<file>", str(file_errors[0]))]
        loaded: list[Case | InvalidCase] = []
        seen: dict[str, int] = {}
        for index, raw in enumerate(doc.data["cases"]):
            case_id = raw.get("id") if isinstance(raw, dict) else None
            test_id = f"{stem}:{case_id or f'cases[{index}]'}"
            label = case_id if isinstance(case_id, str) else f"#{index + 1}"
            where = _Where(doc, ("cases", index), label)
            try:
                if index in case_errors:
                    raise _translate(case_errors[index], doc, ("cases", index), where.case_id)
                if case_id in seen:
                    raise where.error(("id",), f"duplicate id: case {seen[case_id] + 1} of this file has it too")
                seen[case_id] = index
                loaded.append(self._build_case(raw, doc, where))
            except CaseError as error:
                loaded.append(InvalidCase(test_id, str(error)))
        return loaded

    def _display(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.project_root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def _schema_errors(self, doc: YamlDocument) -> tuple[dict[int, ValidationError], list[CaseError]]:
        """Case-format violations: grouped by case index, and those of the file itself."""
        by_case: dict[int, list[ValidationError]] = {}
        file_level: list[ValidationError] = []
        for error in self._file_validator.iter_errors(doc.data):
            path = list(error.absolute_path)
            if len(path) >= 2 and path[0] == "cases" and isinstance(path[1], int):
                by_case.setdefault(path[1], []).append(error)
            else:
                file_level.append(error)
        file_errors = [_translate([error], doc, (), None) for error in file_level]
        return by_case, file_errors

    def _build_case(self, raw: dict[str, Any], doc: YamlDocument, where: _Where) -> Case:
        file_data = doc.data
        if "steps" in raw:
            steps_raw = [(("steps", i), step) for i, step in enumerate(raw["steps"])]
        else:
            single = {key: raw[key] for key in ("request", "expect", "save", "paginate") if key in raw}
            steps_raw = [((), single)]
        self._unpinned = set()
        known = set(BUILTIN_VARIABLES)
        steps = []
        for relative, step_raw in steps_raw:
            step = self._build_step(step_raw, where, relative, known, saved_earlier=frozenset())
            steps.append(step)
            known.update(save.name for save in step.saves)
        saved = frozenset(known - BUILTIN_VARIABLES)
        teardown = []
        teardown_raw = [(("teardown", i), step) for i, step in enumerate(raw.get("teardown", []))]
        for relative, step_raw in teardown_raw:
            step = self._build_step(step_raw, where, relative, known, saved_earlier=saved)
            teardown.append(step)
            known.update(save.name for save in step.saves)
        return Case(
            id=raw["id"],
            title=raw["title"],
            source=where.source(()),
            epic=file_data["epic"],
            feature=file_data["feature"],
            story=raw.get("story", steps[0].request.path),
            severity=raw.get("severity", "normal"),
            tags=tuple(raw.get("tags", ())),
            writes=_writes(raw, (*steps_raw, *teardown_raw), (*steps, *teardown), where),
            steps=tuple(steps),
            teardown=tuple(teardown),
            sandbox_only=raw.get("sandbox_only"),
            unpinned=tuple(sorted(self._unpinned)),
        )

    def _build_step(
        self,
        raw: dict[str, Any],
        where: _Where,
        at: PathKey,
        known: set[str],
        saved_earlier: frozenset[str],
    ) -> Step:
        request = self._build_request(raw["request"], where, (*at, "request"))
        expect = self._build_expect(raw.get("expect", {}), request, where, (*at, "expect"))
        for_each = _template(raw["for_each"], where, (*at, "for_each")) if "for_each" in raw else None
        until = _field_checks(raw.get("until", {}), where, (*at, "until"))
        when = _field_checks(raw.get("when", {}), where, (*at, "when"))
        for check in when:
            if str(check.parts[0]) not in known:
                raise where.error(
                    (*at, "when", check.path), f"when reads ${{{check.parts[0]}}}, which no earlier step saves"
                )
        paginate = _pagination(raw["paginate"], where, (*at, "paginate")) if "paginate" in raw else None
        saves = tuple(_save(name, path, where, (*at, "save", name)) for name, path in raw.get("save", {}).items())
        visible = known | {LOOP_VARIABLE} if for_each else known
        self._check_references(raw, at, where, visible, for_each)
        templates = [request.query, request.json, request.headers, for_each]
        collected = paginate.collect if paginate else ()
        checks = (*expect.body, *until, *when, *collected, *expect.errcode, *expect.code)
        templates += [check.expected for check in checks]
        used = frozenset().union(*(t.variables for t in templates if t is not None))
        return Step(
            name=raw.get("name", f"{request.method} {request.path}"),
            request=request,
            expect=expect,
            saves=saves,
            source=where.source(at),
            for_each=for_each,
            until=until,
            paginate=paginate,
            needs=used & saved_earlier,
            when=when,
        )

    def _build_request(self, raw: dict[str, Any], where: _Where, at: PathKey) -> RequestSpec:
        method = raw.get("method", "POST" if "json" in raw else "GET")
        api = raw.get("api", "oapi")
        endpoint = self.writing.get((api, raw["path"]))
        return RequestSpec(
            api=api,
            method=method,
            path=raw["path"],
            query=_template(raw["query"], where, (*at, "query")) if "query" in raw else None,
            json=_template(raw["json"], where, (*at, "json")) if "json" in raw else None,
            headers=_template(raw["headers"], where, (*at, "headers")) if "headers" in raw else None,
            auth=Auth(raw.get("auth", "token")),
            creates=endpoint is not None and endpoint.creates,
            writes=endpoint.writes if endpoint is not None else None,
            object=endpoint.object if endpoint is not None else "",
        )

    def _build_expect(self, raw: dict[str, Any], request: RequestSpec, where: _Where, at: PathKey) -> Expectation:
        if request.api != "oapi" and "errcode" in raw:
            raise where.error((*at, "errcode"), "errcode is the old host's; on api the error is in status and code")
        if request.api == "oapi" and "code" in raw:
            raise where.error((*at, "code"), "code is the new host's; on oapi use errcode")
        errcode_raw = raw.get("errcode", 0 if request.api == "oapi" else "any")
        errcode = () if errcode_raw == "any" else _field_checks({"errcode": errcode_raw}, where, at)
        code = _field_checks({"code": raw["code"]}, where, at) if "code" in raw else ()
        status = raw.get("status", 200)
        schema = raw.get("schema")
        if schema is not None and not self.schemas.has(schema):
            hint = self.schemas.suggest(schema)
            did_you_mean = f"; did you mean '{hint}'?" if hint else ""
            raise where.error((*at, "schema"), f"unknown schema '{schema}' (no schemas/{schema}.json){did_you_mean}")
        body = _field_checks(raw.get("body", {}), where, (*at, "body"))
        expectation = Expectation(status=status, errcode=errcode, code=code, schema=schema, body=body)
        own = SchemaStore.success_schema(request.api, request.path)
        if schema is None and not expects_error(expectation) and not self.schemas.has(own):
            raise where.error(
                (*at[:-1], "request", "path"),
                f"no response schema for {request.method} {request.path}: add schemas/{own}.json "
                "or name one in expect.schema",
            )
        return expectation

    def _check_references(
        self, raw: dict[str, Any], at: PathKey, where: _Where, visible: set[str], for_each: Template | None
    ) -> None:
        """Every ``${name}`` must be a built-in, saved by an earlier step, or (in for_each) the item."""
        for relative, value in _leaves(raw, at):
            if not isinstance(value, str) or "${" not in value:
                continue
            template = _template(value, where, relative)
            for reference in template.references:
                root = str(reference[0])
                if root not in visible:
                    hint = difflib.get_close_matches(root, visible, n=1)
                    did_you_mean = f"; did you mean ${{{hint[0]}}}?" if hint else ""
                    known = ", ".join(sorted(visible - {"profile"}))
                    problem = f"undefined variable ${{{root}}}{did_you_mean} (defined here: {known}, profile.*)"
                    raise where.error(relative, problem)
                if root == "profile":
                    self._check_profile_reference(reference, where, relative)
        if for_each is not None and LOOP_VARIABLE in for_each.variables:
            raise where.error((*at, "for_each"), f"for_each cannot use ${{{LOOP_VARIABLE}}} itself")

    def _check_profile_reference(self, reference: tuple[str | int, ...], where: _Where, at: PathKey) -> None:
        if len(reference) < 2:
            return
        unpinned = len(reference) > 2 and extract(self.profile, reference[1:3]) is MISSING
        if reference[1] == COUNTS_KEY and unpinned and reference[2] in documented_counts():
            self._unpinned.add(str(reference[2]))  # a living tenant's count: the case is skipped, not refused
            return
        if reference[1] in self.profile:
            if extract(self.profile, reference[1:]) is MISSING:
                shown = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in reference)[1:]
                raise where.error(at, f"the tenant profile has nothing at {shown}")
            return
        key = str(reference[1])
        hint = difflib.get_close_matches(key, [str(k) for k in self.profile], n=1)
        did_you_mean = f"; did you mean profile.{hint[0]}?" if hint else ""
        raise where.error(at, f"the tenant profile has no key '{key}'{did_you_mean}")


def _writes(
    raw: Mapping[str, Any], steps_raw: Iterable[tuple[PathKey, Any]], steps: Iterable[Step], where: _Where
) -> bool:
    """Whether the case writes, from the endpoint spec; a ``writes:`` the case gives must agree with it."""
    writing = [(relative, step) for (relative, _), step in zip(steps_raw, steps, strict=True) if step.request.writes]
    claimed = raw.get("writes")
    if claimed is False and writing:
        relative, step = writing[0]
        request = step.request
        raise where.error(
            ("writes",),
            f"writes: false, but {_field_name((*relative, 'request')) or 'request'} sends {request.method} "
            f"{request.path}, which data/spec/endpoints.yaml says does {request.writes}: remove writes: false",
        )
    if claimed is True and not writing:
        raise where.error(
            ("writes",),
            "writes: true, but no request of this case goes to an endpoint that data/spec/endpoints.yaml marks as "
            "writing: remove it (writes is derived from the spec)",
        )
    return bool(writing)


_VALIDATE_NOTHING = frozenset({"description", "title", "$comment", "examples", "default", "$defs", "$schema"})
_LOCAL_DEFINITION = "#/$defs/"


def _definitions_inlined(schema: Any, root: dict[str, Any], inlining: tuple[str, ...] = ()) -> Any:
    """``schema`` with each ``{"$ref": "#/$defs/NAME"}`` (beside keywords that validate nothing) replaced by the
    definition.

    jsonschema resolves a reference each time it meets one, i.e. several times per case; validating against
    the inlined schema is a third faster. A definition that refers to itself keeps its reference.
    """
    if isinstance(schema, list):
        return [_definitions_inlined(item, root, inlining) for item in schema]
    if not isinstance(schema, dict):
        return schema
    reference = schema.get("$ref")
    inlined = {key: _definitions_inlined(value, root, inlining) for key, value in schema.items() if key != "$ref"}
    if not isinstance(reference, str):
        return inlined if reference is None else {**inlined, "$ref": reference}
    name = reference.removeprefix(_LOCAL_DEFINITION)
    local = reference.startswith(_LOCAL_DEFINITION) and name in root.get("$defs", {})
    inlinable = local and reference not in inlining and inlined.keys() <= _VALIDATE_NOTHING
    if not inlinable:
        return {**inlined, "$ref": reference}
    return {**inlined, **_definitions_inlined(root["$defs"][name], root, (*inlining, reference))}


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
    try:
        return compile_template(value)
    except TemplateError as exc:
        for leaf_at, leaf in _leaves(value, at):
            try:
                compile_template(leaf)
            except TemplateError as leaf_exc:
                raise where.error(leaf_at, str(leaf_exc)) from None
        raise where.error(at, str(exc)) from None


def _field_checks(raw: Mapping[str, Any], where: _Where, at: PathKey) -> tuple[FieldCheck, ...]:
    checks = []
    for path, expected in raw.items():
        try:
            parts = parse_path(path)
        except ValueError as exc:
            raise where.error((*at, path), str(exc)) from None
        comparators = expected if isinstance(expected, dict) else {"eq": expected}
        for name, value in comparators.items():
            template = _template(value, where, (*at, path, name))
            unusable = expected_problem(name, value) if template.is_static else None
            if unusable is not None:
                raise where.error((*at, path, name), unusable)
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


def _field_name(path: PathKey) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _translate(errors: list[ValidationError], doc: YamlDocument, base: PathKey, case_id: str | None) -> CaseError:
    """The most telling schema violation as one line with a hint of what to write instead."""
    error = best_match(errors)
    while error.validator in ("oneOf", "anyOf") and error.context:
        deeper = best_match(error.context)
        if len(deeper.absolute_path) <= len(error.absolute_path) and error.validator == "oneOf":
            break
        error = deeper
    path = tuple(error.absolute_path)
    problem = _describe(error)
    if "propertyNames" in error.schema_path:
        path = (*path, error.instance)
        problem = _describe_key(str(error.instance))
    relative = path[len(base) :]
    line = doc.line_of(path)
    if error.validator == "additionalProperties":
        extras = sorted(set(error.instance) - set(error.schema.get("properties", {})), key=str)
        if extras:
            relative = (*relative, extras[0])
            line = doc.line_of((*path, extras[0]))
    return CaseError(doc.file, line, case_id, _field_name(relative), problem)


def _describe_key(key: str) -> str:
    """Why a key is not a usable path (under expect.body) or variable name (under save)."""
    try:
        parse_path(key)
    except ValueError as exc:
        return str(exc)
    return f"'{key}' is not a variable name: use letters, digits and _, not starting with a digit"


def _describe(error: ValidationError) -> str:
    validator, schema, instance = error.validator, error.schema, error.instance
    if validator == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extras = sorted(set(instance) - set(allowed), key=str)
        extra = str(extras[0]) if extras else "?"
        hint = difflib.get_close_matches(extra, allowed, n=1)
        suggestion = f"did you mean '{hint[0]}'?" if hint else f"allowed keys: {', '.join(allowed)}"
        return f"unknown key '{extra}': {suggestion}"
    if validator == "required":
        missing = next((key for key in error.validator_value if key not in instance), "?")
        return f"missing required key '{missing}'"
    if validator == "type":
        wanted = error.validator_value
        wanted_text = " or ".join(wanted) if isinstance(wanted, list) else wanted
        return f"must be {_article(wanted_text)}, got {instance!r}"
    if validator == "enum":
        return f"must be one of {', '.join(map(str, error.validator_value))}; got {instance!r}"
    if validator == "pattern":
        return f"{instance!r} has the wrong form (pattern {error.validator_value})"
    if validator == "oneOf" and "request" in schema.get("properties", {}) and "steps" in schema.get("properties", {}):
        return "give either 'request' (one request, with expect/save) or 'steps' (several), not both or neither"
    if validator in ("oneOf", "anyOf") and "description" in schema:
        expected = schema["description"].split(". ")[0].rstrip(".")
        return f"got {instance!r}; expected {expected[0].lower()}{expected[1:]}"
    if validator == "dependentRequired":
        return error.message.replace("is a dependency of", "must come with")
    if validator in ("minItems", "minProperties", "minLength"):
        return "must not be empty"
    return error.message


def _article(type_name: str) -> str:
    return f"an {type_name}" if type_name[0] in "aeiou" else f"a {type_name}"
