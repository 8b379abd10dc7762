"""Rules for what cases may send to the write endpoints of a live tenant (``data/live/safety.yaml``), and the
check of a loaded case against them: each problem is one line naming the file, case and field."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.cases.config_files import read_config
from common.cases.endpoints import SPEC_FILE, creating_endpoints
from common.cases.jsonpath import MISSING, extract, parse_path
from common.cases.model import Case, Step
from common.cases.templating import Context, TemplateError, compile_template
from common.cases.yaml_source import PathKey, YamlDocument, YamlSyntaxError, read_yaml
from common.core.errors import CaseError, ConfigError

_ABSENT = object()
_RULE_KEYS = frozenset({"equals", "absent", "within", "refused_when_absent", "refused_over", "why"})
_KINDS = ("equals", "absent", "within")
_ENDPOINT_KEYS = frozenset({"api", "path", "object", "fields", "traced_in"})
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
        return CaseError(case.source.file, line, case.id, _dotted(path), message).format()

    def _document(self, file: str) -> YamlDocument | None:
        try:
            return read_yaml(self.project_root / file, file)
        except (OSError, YamlSyntaxError):
            return None


def load_guard(
    path: Path, display: str, profile: Mapping[str, Any], project_root: Path, spec: Path = SPEC_FILE
) -> LiveGuard:
    """Read the rules file; raise ConfigError naming the file, line and key of a malformed rule, or naming a
    creating endpoint of the endpoint spec that has no ``traced_in`` rule."""
    doc = read_config(path, display, "the live-safety rules")
    endpoints = doc.data.get("endpoints") if isinstance(doc.data, dict) else None
    if not isinstance(endpoints, list):
        raise ConfigError(f"{display}: expected a mapping with an 'endpoints' list")
    rules = tuple(_endpoint(doc, i, raw) for i, raw in enumerate(endpoints))
    traced = {(rule.api, rule.path) for rule in rules if rule.traced_in}
    for api, endpoint_path in sorted(creating_endpoints(spec) - traced):
        raise ConfigError(
            f"{display}: {endpoint_path} ({api}) creates something (data/spec/endpoints.yaml) but has no rule with "
            "traced_in: name the request fields that carry the run id, so that a live run can find what it created"
        )
    return LiveGuard(rules, profile, display, project_root)


def _endpoint(doc: YamlDocument, index: int, raw: Any) -> EndpointRules:
    at = ("endpoints", index)
    if not isinstance(raw, dict) or not isinstance(raw.get("path"), str) or not isinstance(raw.get("object"), str):
        raise _rule_error(doc, at, "needs 'path' and 'object' (the request object the fields are in, or $)")
    unknown = sorted(set(raw) - _ENDPOINT_KEYS)
    if unknown:
        raise _rule_error(doc, (*at, unknown[0]), f"unknown key: allowed are {', '.join(sorted(_ENDPOINT_KEYS))}")
    fields = raw.get("fields", {})
    traced_in = raw.get("traced_in", [])
    if not isinstance(traced_in, list) or not all(isinstance(f, str) and _is_path(f) for f in traced_in):
        raise _rule_error(doc, (*at, "traced_in"), "a list of field paths inside the object, e.g. [title, content]")
    if not isinstance(fields, dict) or not (fields or traced_in):
        raise _rule_error(doc, (*at, "fields"), "needs at least one field rule (or traced_in)")
    rules = tuple(_field_rule(doc, (*at, "fields", name), name, rule) for name, rule in fields.items())
    return EndpointRules(raw.get("api", "oapi"), raw["path"], raw["object"], rules, tuple(traced_in))


def _is_path(text: str) -> bool:
    try:
        parse_path(text)
    except ValueError:
        return False
    return True


def _traced(request_object: Mapping[str, Any], fields: tuple[str, ...]) -> bool:
    """True when one of ``fields`` (a ``[*]`` path selects every item) holds the run-id mark."""
    for field_path in fields:
        value = extract(request_object, parse_path(field_path))
        values = value if isinstance(value, list) and "[*]" in field_path else [value]
        if any(item is not MISSING and isinstance(item, str) and TRACE_MARK in item for item in values):
            return True
    return False


def _field_rule(doc: YamlDocument, at: PathKey, name: str, raw: Any) -> FieldRule:
    if not isinstance(raw, dict) or set(raw) - _RULE_KEYS:
        raise _rule_error(doc, at, f"a rule is a mapping of {', '.join(sorted(_RULE_KEYS))}")
    kinds = [kind for kind in _KINDS if kind in raw]
    if len(kinds) != 1:
        raise _rule_error(doc, at, f"give exactly one of {', '.join(_KINDS)}")
    kind = kinds[0]
    within_ok = kind != "within" or (isinstance(raw[kind], list) and all(isinstance(k, str) for k in raw[kind]))
    if not within_ok or (kind == "absent" and raw[kind] is not True):
        raise _rule_error(doc, (*at, kind), "within: a list of profile keys; absent: true")
    return FieldRule(
        field=name,
        kind=kind,
        value=raw[kind],
        why=str(raw.get("why", "")),
        refused_when_absent=bool(raw.get("refused_when_absent", False)),
        refused_over=raw.get("refused_over"),
    )


def _rule_error(doc: YamlDocument, at: PathKey, problem: str) -> ConfigError:
    return ConfigError(f"{doc.file}:{doc.line_of(at)} {_dotted(at)}: {problem}")


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


def _dotted(path: PathKey) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
