"""Rules for what cases may send to the write endpoints of a live tenant (``data/live/safety.yaml``), and the
check of a loaded case against them: each problem is one line naming the file, case and field."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.case_model import Case, Step
from common.errors import CaseError, ConfigError
from common.live_config import read_config
from common.templating import Context, TemplateError, compile_template
from common.yaml_source import PathKey, YamlDocument, YamlSyntaxError, read_yaml

_ABSENT = object()
_RULE_KEYS = frozenset({"equals", "absent", "within", "refused_when_absent", "refused_over", "why"})
_KINDS = ("equals", "absent", "within")


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
                for field_path, message in self._step_problems(step, endpoint):
                    return self._line(case, (*where, "request", "json", endpoint.object, *field_path), message)
        return None

    def _step_problems(self, step: Step, endpoint: EndpointRules) -> Iterator[tuple[PathKey, str]]:
        body = step.request.json.source if step.request.json is not None else None
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


def load_guard(path: Path, display: str, profile: Mapping[str, Any], project_root: Path) -> LiveGuard:
    """Read the rules file; raise ConfigError naming the file, line and key of a malformed rule."""
    doc = read_config(path, display, "the live-safety rules")
    endpoints = doc.data.get("endpoints") if isinstance(doc.data, dict) else None
    if not isinstance(endpoints, list):
        raise ConfigError(f"{display}: expected a mapping with an 'endpoints' list")
    return LiveGuard(tuple(_endpoint(doc, i, raw) for i, raw in enumerate(endpoints)), profile, display, project_root)


def _endpoint(doc: YamlDocument, index: int, raw: Any) -> EndpointRules:
    at = ("endpoints", index)
    if not isinstance(raw, dict) or not isinstance(raw.get("path"), str) or not isinstance(raw.get("object"), str):
        raise _rule_error(doc, at, "needs 'path' and 'object' (the request object the fields are in)")
    fields = raw.get("fields")
    if not isinstance(fields, dict) or not fields:
        raise _rule_error(doc, (*at, "fields"), "needs at least one field rule")
    rules = tuple(_field_rule(doc, (*at, "fields", name), name, rule) for name, rule in fields.items())
    return EndpointRules(raw.get("api", "oapi"), raw["path"], raw["object"], rules)


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
