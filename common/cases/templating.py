"""``${...}`` templates in YAML values, compiled once at collection and rendered per step.

A string that is exactly ``${name}`` renders to the variable's own value (a number stays a number);
``${...}`` inside a longer string is converted to text. Inside the braces:

- a variable, with an optional path into it: ``${bb_id}``, ``${profile.admin_userid}``, ``${ids[0]}``
- a built-in function with literal arguments: ``${now_ms(-179d)}``, ``${datetime(+1h)}``, ``${chars(1001)}``,
  ``${repeat(profile.test_userids, 1001)}``
- a function of the project's own (``@template_function`` in ``functions.py``, see ``common.cases.functions``):
  ``${csv(profile.test_userids)}``, its arguments literals or variable references, checked at collection

``${datetime(...)}`` is the tenant's wall-clock time, not the machine's: DingTalk reads ``yyyy-MM-dd HH:mm:ss``
as China Standard Time whatever the caller's zone, so a Context renders in Asia/Shanghai unless the tenant
profile names another IANA zone under ``timezone`` (see ``tenant_zone``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from common.cases.functions import (
    FunctionsFileError,
    UserFunction,
    reserve_built_ins,
    user_function,
    user_function_names,
)
from common.cases.jsonpath import MISSING, extract, parse_path

_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
_CALL = re.compile(r"^(\w+)\((.*)\)$")
_OFFSET = re.compile(r"^([+-]?\d+)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

CHINA_TIME = ZoneInfo("Asia/Shanghai")
"""DingTalk's clock: China Standard Time, UTC+8 all year, whatever zone the caller is in."""
ZONE_KEY = "timezone"
"""The optional tenant-profile key naming the tenant's IANA time zone when it is not Asia/Shanghai."""


def tenant_zone(profile: Mapping[str, Any] | None) -> ZoneInfo:
    """The zone the tenant reads date-times in: the profile's ``timezone``, else China Standard Time."""
    name = profile.get(ZONE_KEY) if isinstance(profile, Mapping) else None
    return CHINA_TIME if name is None else ZoneInfo(name)


class TemplateError(ValueError):
    """A placeholder is malformed or names something that does not exist."""


class UndefinedVariable(TemplateError):
    """A placeholder names a variable that has no value (yet)."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"undefined variable ${{{name}}}")


def _offset_seconds(argument: str) -> int:
    if not argument:
        return 0
    match = _OFFSET.match(argument.strip())
    if not match:
        raise TemplateError(f"bad time offset '{argument}': use e.g. -179d, +1h, 30m, 10s")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


@dataclass(frozen=True)
class Context:
    """What placeholders render from: variables by name, and a clock and the tenant's zone for the time functions."""

    variables: Mapping[str, Any]
    clock: Callable[[], float] = time.time
    zone: tzinfo = CHINA_TIME


@dataclass(frozen=True)
class _Reference:
    name: str
    root: str
    parts: tuple[str | int, ...]

    def render(self, context: Context) -> Any:
        value = extract(context.variables.get(self.root, MISSING), self.parts)  # a missing root leads nowhere
        if value is MISSING:
            raise UndefinedVariable(self.name)
        return value


MAX_SIZE = 1_000_000
"""The largest size ``chars`` and ``repeat`` make: enough for any documented limit, small enough to send."""


def _size(text: str) -> int:
    if not re.fullmatch(r"\d+", text.strip()) or not 0 < int(text) <= MAX_SIZE:
        raise TemplateError(f"'{text.strip()}' is not a size: write a whole number from 1 to {MAX_SIZE}")
    return int(text)


@dataclass(frozen=True)
class _Function:
    """A template function: ``parse`` turns its argument text into arguments at collection (a variable reference
    stays a ``_Reference``, rendered when the call is), ``call`` makes the value."""

    parse: Callable[[str], tuple[Any, ...]]
    call: Callable[..., Any]
    usage: str


def _now_ms(context: Context, offset: int) -> int:
    return int((context.clock() + offset) * 1000)


def _datetime(context: Context, offset: int) -> str:
    moment = datetime.fromtimestamp(context.clock() + offset, context.zone)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _chars(context: Context, size: int) -> str:
    return ("0123456789" * (size // 10 + 1))[:size]


def _repeat(context: Context, value: Any, size: int) -> list[Any]:
    items = value if isinstance(value, list) and value else [value]
    return [items[index % len(items)] for index in range(size)]


def _reference_and_size(argument: str) -> tuple[Any, ...]:
    reference, _, size = argument.rpartition(",")
    if not reference.strip():
        raise TemplateError(f"repeat({argument}) needs a variable and a size, e.g. repeat(profile.test_userids, 1001)")
    return _compile_reference(reference.strip()), _size(size)


FUNCTIONS: dict[str, _Function] = {
    "now_ms": _Function(lambda text: (_offset_seconds(text),), _now_ms, "now_ms(-179d): epoch milliseconds"),
    "datetime": _Function(
        lambda text: (_offset_seconds(text),), _datetime, "datetime(+1h): yyyy-MM-dd HH:mm:ss in the tenant's zone"
    ),
    "chars": _Function(lambda text: (_size(text),), _chars, "chars(1001): a text of that many characters"),
    "repeat": _Function(_reference_and_size, _repeat, "repeat(profile.test_userids, 1001): a list of that length"),
}
"""The built-in functions, e.g. ``${datetime(-1d)}`` or ``${chars(1001)}`` for a value one over a limit."""
reserve_built_ins(FUNCTIONS)


_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_ARGUMENT = re.compile(r"""\s*('[^']*'|"[^"]*"|[^,'"]+)\s*(,|$)""")


def _user_arguments(text: str) -> list[str]:
    """The comma-separated arguments of a call, quotes kept (a comma inside quotes does not separate)."""
    if not text.strip():
        return []
    arguments: list[str] = []
    position = 0
    while position < len(text):
        match = _ARGUMENT.match(text, position)
        if match is None or match.end() == position:
            raise TemplateError(f"cannot read the arguments '{text}': separate them with commas, quote text")
        arguments.append(match.group(1).strip())
        position = match.end()
        if match.group(2) == "," and position == len(text):
            raise TemplateError(f"cannot read the arguments '{text}': an argument is missing after the last comma")
    return arguments


def _user_argument(source: str) -> Any:
    """A literal (number, quoted text, true, false, null) or a variable reference."""
    if source[:1] in ("'", '"') and len(source) >= 2 and source[-1] == source[0]:
        return source[1:-1]
    if source in _LITERALS:
        return _LITERALS[source]
    if _NUMBER.match(source):
        return float(source) if "." in source else int(source)
    if re.match(r"^[A-Za-z_]", source):
        return _compile_reference(source)
    raise TemplateError(f"'{source}' is neither a literal nor a variable: quote text, e.g. '{source}'")


def _user_call(function: UserFunction, text: str) -> _Call:
    """A call of a project function, its arity and literal arguments checked against its signature now."""
    arguments = tuple(_user_argument(source) for source in _user_arguments(text))
    problem = function.arity_problem(len(arguments))
    if problem is None:
        problem = next(
            (
                function.kind_problem(index, argument)
                for index, argument in enumerate(arguments)
                if not isinstance(argument, _Reference) and function.kind_problem(index, argument)
            ),
            None,
        )
    if problem is not None:
        raise TemplateError(problem)

    def call(context: Context, *values: Any) -> Any:
        for index, value in enumerate(values):
            wrong = function.kind_problem(index, value)
            if wrong is not None:
                raise TemplateError(wrong)
        try:
            return function.function(*values)
        except Exception as exc:  # the project's own code: its failure is the step's, with the call named
            raise TemplateError(f"{function.name}() raised {type(exc).__name__}: {exc}") from None

    return _Call(function.name, arguments, _Function(lambda _: arguments, call, function.usage))


@dataclass(frozen=True)
class _Call:
    function: str
    arguments: tuple[Any, ...]
    definition: _Function

    def render(self, context: Context) -> Any:
        values = [arg.render(context) if isinstance(arg, _Reference) else arg for arg in self.arguments]
        return self.definition.call(context, *values)

    @property
    def references(self) -> tuple[_Reference, ...]:
        return tuple(arg for arg in self.arguments if isinstance(arg, _Reference))


@dataclass(frozen=True)
class _Concat:
    """``${a + b}``: the lists saved as ``a`` and ``b``, one after the other."""

    terms: tuple[_Reference, ...]

    def render(self, context: Context) -> list[Any]:
        joined: list[Any] = []
        for term in self.terms:
            value = term.render(context)
            if not isinstance(value, list):
                raise TemplateError(f"${{{term.name}}} is not a list, so it cannot be joined with +: {value!r}")
            joined += value
        return joined


_Expression = _Reference | _Call | _Concat


def _compile_expression(source: str) -> _Expression:
    source = source.strip()
    if "+" in source and not _CALL.match(source):
        return _Concat(tuple(_compile_reference(term.strip()) for term in source.split("+")))
    call = _CALL.match(source)
    if call:
        function, argument = call.groups()
        if function in FUNCTIONS:
            return _Call(function, FUNCTIONS[function].parse(argument.strip()), FUNCTIONS[function])
        try:
            own = user_function(function)
        except FunctionsFileError as exc:
            raise TemplateError(str(exc)) from None
        if own is None:
            known = ", ".join(sorted([*FUNCTIONS, *user_function_names()]))
            raise TemplateError(
                f"unknown function '{function}()': known are {known} (add your own with @template_function "
                "in functions.py)"
            )
        return _user_call(own, argument)
    return _compile_reference(source)


def _compile_reference(source: str) -> _Reference:
    try:
        parts = parse_path(source)
    except ValueError as exc:
        raise TemplateError(f"bad placeholder '${{{source}}}': {exc}") from None
    if not isinstance(parts[0], str):
        raise TemplateError(f"bad placeholder '${{{source}}}': must start with a variable name")
    return _Reference(source, parts[0], parts[1:])


@dataclass(frozen=True)
class _Text:
    """A string with placeholders inside it: always renders to a string."""

    pieces: tuple[str | _Expression, ...]

    def render(self, context: Context) -> str:
        return "".join(p if isinstance(p, str) else _as_text(p.render(context)) for p in self.pieces)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class Template:
    """A YAML value with its placeholders compiled; ``render`` returns plain data."""

    source: Any
    _compiled: Any
    references: frozenset[tuple[str | int, ...]]
    """Every variable reference as its path, e.g. ``("profile", "admin_userid")``."""

    def render(self, context: Context) -> Any:
        return _render(self._compiled, context)

    @property
    def variables(self) -> frozenset[str]:
        """The names of the variables this template reads."""
        return frozenset(str(reference[0]) for reference in self.references)

    @property
    def is_static(self) -> bool:
        """True when the value has no placeholder at all."""
        return self._compiled is self.source


def compile_template(value: Any) -> Template:
    """Compile every ``${...}`` in ``value``; raise TemplateError on a malformed one."""
    references: set[tuple[str | int, ...]] = set()
    compiled = _compile(value, references)
    return Template(value, compiled, frozenset(references) if references else _NO_REFERENCES)


_NO_REFERENCES: frozenset[tuple[str | int, ...]] = frozenset()


def _compile(value: Any, references: set[tuple[str | int, ...]]) -> Any:
    if isinstance(value, str):
        return _compile_string(value, references)
    if isinstance(value, dict):
        items = {key: _compile(item, references) for key, item in value.items()}
        changed = any(items[key] is not value[key] for key in value)
        return _Dict(tuple(items.items())) if changed else value
    if isinstance(value, list):
        items_list = [_compile(item, references) for item in value]
        changed = any(new is not old for new, old in zip(items_list, value, strict=True))
        return _List(tuple(items_list)) if changed else value
    return value


def _compile_string(value: str, references: set[tuple[str | int, ...]]) -> Any:
    if "${" not in value:
        return value
    pieces: list[str | _Expression] = []
    position = 0
    for match in _PLACEHOLDER.finditer(value):
        if match.start() > position:
            pieces.append(value[position : match.start()])
        expression = _compile_expression(match.group(1))
        if isinstance(expression, _Concat):
            used: tuple[Any, ...] = expression.terms
        elif isinstance(expression, _Call):
            used = expression.references
        else:
            used = (expression,)
        for reference in used:
            if isinstance(reference, _Reference):
                references.add((reference.root, *reference.parts))
        pieces.append(expression)
        position = match.end()
    if position < len(value):
        pieces.append(value[position:])
    if any("${" in piece for piece in pieces if isinstance(piece, str)):
        raise TemplateError(f"unclosed placeholder in '{value}'")
    if len(pieces) == 1 and not isinstance(pieces[0], str):
        return pieces[0]
    return _Text(tuple(pieces))


@dataclass(frozen=True)
class _Dict:
    items: tuple[tuple[Any, Any], ...]


@dataclass(frozen=True)
class _List:
    items: tuple[Any, ...]


def _render(compiled: Any, context: Context) -> Any:
    if isinstance(compiled, _Dict):
        return {key: _render(item, context) for key, item in compiled.items}
    if isinstance(compiled, _List):
        return [_render(item, context) for item in compiled.items]
    if isinstance(compiled, _Reference | _Call | _Concat | _Text):
        return compiled.render(context)
    return compiled
