"""Rules for what cases may send to the write endpoints of a live tenant (``data/live/safety.yaml``), and the
check of a loaded case against them: each problem is one line naming the file, case and field."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.cases.config_files import config_schema, read_config
from common.cases.endpoints import SPEC_FILE, creating_endpoints
from common.cases.jsonpath import MISSING, extract, parse_path
from common.cases.model import Case, Step
from common.cases.templating import Context, TemplateError, compile_template
from common.cases.yaml_source import PathKey, YamlDocument, YamlSyntaxError, field_name, read_yaml
from common.core.errors import ConfigError, Mistake, Source

_ABSENT = object()
_KINDS = ("equals", "absent", "within")
WHOLE_BODY = "$"
TRACE_MARK = "apitest ${uid}"
"""What a creating request carries in a traced field: the sweep finds objects whose label starts with
``apitest <run id>-``, and a report or robot message that cannot be removed is still found by it."""


@dataclass(frozen=True)
class FieldRule:
    """One field of a write endpoint's request object and the only values it may have on a live tenant."""

    field: str
    kind: str
    """``equals``, ``absent`` or ``within``."""
    value: Any
    """The value for ``equals``; the profile keys for ``within``."""
    why: str
    refused_when_absent: bool = False
    refused_over: int | None = None


@dataclass(frozen=True)
class EndpointRules:
    """The rules of one write endpoint; ``object`` is the request object they apply inside."""

    api: str
    path: str
    object: str
    fields: tuple[FieldRule, ...]
    traced_in: tuple[str, ...] = ()
    """For a creating endpoint: fields of the object one of which must carry ``apitest ${uid}``."""


@dataclass(frozen=True)
class LiveGuard:
    """Checks cases against the rules, with the tenant profile that ``within`` rules read."""

    rules: tuple[EndpointRules, ...]
    profile: Mapping[str, Any]
    rules_file: str
    project_root: Path

    def problem(self, case: Case) -> str | None:
        """The first rule the case breaks, as one line, or None when every step is safe."""
        for where, step in _steps(case):
            for endpoint in self.rules:
                if (step.request.api, step.request.path) != (endpoint.api, endpoint.path):
                    continue
                inside = () if endpoint.object == WHOLE_BODY else (endpoint.object,)
                for field_path, message in self._step_problems(step, endpoint):
                    return self._line(case, (*where, "request", "json", *inside, *field_path), message)
        return None

    def _step_problems(self, step: Step, endpoint: EndpointRules) -> Iterator[tuple[PathKey, str]]:
        body = step.request.json.source if step.request.json is not None else None
        if endpoint.object == WHOLE_BODY:
            request_object = body
        else:
            request_object = body.get(endpoint.object) if isinstance(body, dict) else None
        if request_object is None:
            return
        if not isinstance(request_object, dict):
            yield (), f"write {endpoint.object} out as a mapping, so that {self.rules_file} can check it"
            return
        for rule in endpoint.fields:
            parts = tuple(rule.field.split("."))
            message = self._field_problem(rule, _lookup(request_object, parts))
            if message is not None:
                yield parts, f"{message} (a rule for live tenants in {self.rules_file}: {rule.why})"
        if step.request.creates and endpoint.traced_in and not _traced(request_object, endpoint.traced_in):
            fields = " or ".join(endpoint.traced_in)
            yield (
                (endpoint.traced_in[0],),
                (
                    f"carries no run id: put '{TRACE_MARK}' in {fields}, so that what this request may create is found "
                    f"and removed (or counted) after the run, also when a refusal was expected "
                    f"(a rule for live tenants in {self.rules_file})"
                ),
            )

    def _field_problem(self, rule: FieldRule, value: Any) -> str | None:
        name = rule.field.rsplit(".", 1)[-1]
        if isinstance(value, list) and rule.refused_over is not None and len(value) > rule.refused_over:
            return None
        if rule.kind == "equals":
            if value is _ABSENT:
                return None if rule.refused_when_absent else f"missing: write {name}: {_yaml(rule.value)}"
            if type(value) is not type(rule.value) or value != rule.value:
                return f"must be {_yaml(rule.value)}, not {_yaml(value)}"
            return None
        if rule.kind == "absent":
            return None if value is _ABSENT else "must not be sent"
        return None if value is _ABSENT else self._outside(rule, value)

    def _outside(self, rule: FieldRule, value: Any) -> str | None:
        """Why a ``within`` value is not made of the allowed profile values, or None."""
        allowed = {str(item) for key in rule.value for item in _as_list(self.profile.get(key))}
        keys = ", ".join(f"profile.{key}" for key in rule.value)
        try:
            rendered = compile_template(value).render(Context({"profile": self.profile}))
        except TemplateError:
            return f"must be made of {keys}: a value saved at run time cannot be checked before the run"
        strays = [str(item) for item in _as_list(rendered) if str(item) not in allowed]
        return f"holds {strays[0]!r}, which is not among {keys}" if strays else None

    def _line(self, case: Case, path: PathKey, message: str) -> str:
        doc = self._document(case.source.file)
        index = _case_index(doc, case.id)
        line = case.source.line if index is None else doc.line_of(("cases", index, *path))
        return str(Mistake(Source(case.source.file, line, field_name(path), case.id), message))

    def _document(self, file: str) -> YamlDocument | None:
        try:
            return read_yaml(self.project_root / file, file)
        except (OSError, YamlSyntaxError):
            return None


def load_guard(
    path: Path, display: str, profile: Mapping[str, Any], project_root: Path, spec: Path = SPEC_FILE
) -> LiveGuard:
    """Read the rules file; raise ConfigError naming the file, line and field of each mistake, and each creating
    endpoint of the endpoint spec that has no ``traced_in`` rule."""
    doc = read_config(path, display, "the live-safety rules", config_schema("safety"))
    endpoints = doc.data["endpoints"]
    mistakes = [
        Mistake(doc.source(("endpoints", index, "traced_in", position)), problem)
        for index, raw in enumerate(endpoints)
        for position, field_path in enumerate(raw.get("traced_in", ()))
        if (problem := _path_problem(field_path)) is not None
    ]
    rules = tuple(_endpoint(raw) for raw in endpoints)
    traced = {(rule.api, rule.path) for rule in rules if rule.traced_in}
    mistakes += [
        Mistake(
            Source(display),
            f"{endpoint_path} ({api}) creates something (data/spec/endpoints.yaml) but has no rule with traced_in: "
            "name the request fields that carry the run id, so that a live run can find what it created",
        )
        for api, endpoint_path in sorted(creating_endpoints(spec) - traced)
    ]
    if mistakes:
        raise ConfigError.of(mistakes)
    return LiveGuard(rules, profile, display, project_root)


def _endpoint(raw: Mapping[str, Any]) -> EndpointRules:
    """One endpoint's rules, from an entry the schema has checked."""
    rules = tuple(_field_rule(name, rule) for name, rule in raw.get("fields", {}).items())
    return EndpointRules(raw.get("api", "oapi"), raw["path"], raw["object"], rules, tuple(raw.get("traced_in", ())))


def _path_problem(text: str) -> str | None:
    """Why ``text`` is not a field path inside the object (None: it is one)."""
    try:
        parse_path(text)
    except ValueError as exc:
        return str(exc)
    return None


def _traced(request_object: Mapping[str, Any], fields: tuple[str, ...]) -> bool:
    """True when one of ``fields`` (a ``[*]`` path selects every item) holds the run-id mark."""
    for field_path in fields:
        value = extract(request_object, parse_path(field_path))
        values = value if isinstance(value, list) and "[*]" in field_path else [value]
        if any(item is not MISSING and isinstance(item, str) and TRACE_MARK in item for item in values):
            return True
    return False


def _field_rule(name: str, raw: Mapping[str, Any]) -> FieldRule:
    """One field's rule, from a rule the schema has checked (it gives exactly one kind)."""
    kind = next(kind for kind in _KINDS if kind in raw)
    return FieldRule(
        field=name,
        kind=kind,
        value=raw[kind],
        why=raw.get("why", ""),
        refused_when_absent=raw.get("refused_when_absent", False),
        refused_over=raw.get("refused_over"),
    )


def _steps(case: Case) -> Iterator[tuple[PathKey, Step]]:
    """Every step with its place in the YAML: ``()`` for a single-request case, else ``steps[i]``/``teardown[i]``."""
    single = len(case.steps) == 1 and case.steps[0].source == case.source
    for index, step in enumerate(case.steps):
        yield (() if single else ("steps", index)), step
    for index, step in enumerate(case.teardown):
        yield ("teardown", index), step


def _lookup(mapping: Mapping[str, Any], parts: tuple[str, ...]) -> Any:
    value: Any = mapping
    for part in parts:
        if not isinstance(value, dict) or part not in value:
            return _ABSENT
        value = value[part]
    return value


def _case_index(doc: YamlDocument | None, case_id: str) -> int | None:
    cases = doc.data.get("cases") if doc is not None and isinstance(doc.data, dict) else None
    if not isinstance(cases, list):
        return None
    return next((i for i, raw in enumerate(cases) if isinstance(raw, dict) and raw.get("id") == case_id), None)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _yaml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)
