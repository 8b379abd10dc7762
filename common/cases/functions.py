"""The project's own template functions: ``@template_function`` in a Python file, called as ``${name(args)}``.

A user writes them in ``functions.py`` at the project root (like HttpRunner's ``debugtalk.py``)::

    from common.cases.functions import template_function

    @template_function
    def csv(userids: list) -> str:
        "The userids as one comma-separated text."
        return ",".join(userids)

and a case calls ``${csv(profile.test_userids)}``. Each argument is a literal (``12``, ``-1.5``, ``'text'``,
``"text"``, ``true``, ``false``, ``null``) or a variable reference (``profile.test_userids``, ``bb_id``), rendered
when the call is. The call is checked at collection: the number of arguments against the function's signature,
and each literal against its parameter's annotation (``int``, ``float``, ``str``, ``bool``, ``list``, ``dict``;
none or ``Any``: anything). The file is read once, on first need; a file that does not compile or import is one
line naming the file and the line (``FunctionsFileError``).
"""

from __future__ import annotations

import importlib.util
import inspect
import re
import sys
import traceback
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from common.core.errors import ConfigError
from common.core.paths import PROJECT_ROOT, shown

FUNCTIONS_FILE = PROJECT_ROOT / "functions.py"
"""Where the project's own template functions are: ``functions.py`` at the project root (optional)."""
_MODULE_NAME = "dingtalk_apitest_functions"
_NAME = re.compile(r"^[A-Za-z_]\w*$")
_KINDS: dict[Any, tuple[type, ...]] = {
    int: (int,),
    float: (int, float),
    str: (str,),
    bool: (bool,),
    list: (list,),
    dict: (dict,),
    type(None): (type(None),),
}
_KIND_NAMES = {int: "int", float: "float", str: "str", bool: "bool", list: "list", dict: "dict", type(None): "None"}


class FunctionsFileError(ConfigError):
    """The functions file does not compile, does not import, or defines a function wrongly: one line."""


class FunctionDefinitionError(ValueError):
    """``@template_function`` was given something it cannot register (raised where the decorator is)."""


@dataclass(frozen=True)
class Parameter:
    """One parameter of a template function: its name and the kinds of value it takes (None: anything)."""

    name: str
    kinds: tuple[type, ...] | None
    required: bool
    variadic: bool = False
    default: Any = None

    def describe(self) -> str:
        shown = [kind for kind in self.kinds or () if not (kind is int and float in (self.kinds or ()))]
        kinds = "" if self.kinds is None else ": " + " | ".join(_kind_name(kind) for kind in shown)
        default = "" if self.required or self.variadic else f" = {self.default!r}"
        return f"{'*' if self.variadic else ''}{self.name}{kinds}{default}"

    def accepts(self, value: Any) -> bool:
        if self.kinds is None:
            return True
        if isinstance(value, bool) and bool not in self.kinds:
            return False  # True is not 1 in a case
        return isinstance(value, self.kinds)


@dataclass(frozen=True)
class UserFunction:
    """A registered template function: the Python function, its parameters and where it is defined."""

    name: str
    function: Callable[..., Any]
    parameters: tuple[Parameter, ...]
    where: str

    @property
    def usage(self) -> str:
        """How it is called: ``name(a: int, b: str = ',')``."""
        return f"{self.name}({', '.join(parameter.describe() for parameter in self.parameters)})"

    def arity_problem(self, count: int) -> str | None:
        """Why ``count`` arguments do not fit, or None."""
        fixed = [parameter for parameter in self.parameters if not parameter.variadic]
        least = sum(parameter.required for parameter in fixed)
        most = None if any(parameter.variadic for parameter in self.parameters) else len(fixed)
        if least <= count and (most is None or count <= most):
            return None
        if most is None:
            wanted = f"at least {least}"
        elif least == most:
            wanted = str(least)
        else:
            wanted = f"{least} to {most}"
        return f"{self.name}() takes {wanted} argument{'' if wanted == '1' else 's'}, got {count} (use {self.usage})"

    def kind_problem(self, index: int, value: Any) -> str | None:
        """Why ``value`` cannot be argument ``index`` (0-based), or None."""
        parameter = self.parameter(index)
        if parameter.accepts(value):
            return None
        wanted = " or ".join(_kind_name(kind) for kind in parameter.kinds or ())
        return (
            f"{self.name}() argument {index + 1} ({parameter.name}) must be {wanted}, got {_literal_kind(value)} "
            f"{value!r} (use {self.usage})"
        )

    def parameter(self, index: int) -> Parameter:
        fixed = [parameter for parameter in self.parameters if not parameter.variadic]
        return fixed[index] if index < len(fixed) else self.parameters[-1]


_REGISTRY: dict[str, UserFunction] = {}
_loaded: dict[Path, FunctionsFileError | None] = {}
"""The functions files read so far, each with why it could not be (None: it was read)."""
F = TypeVar("F", bound=Callable[..., Any])


def template_function(function: F | None = None, *, name: str | None = None) -> Any:
    """Register ``function`` as a template function, called in cases as ``${name(arguments)}``.

    Use as ``@template_function`` (the Python name) or ``@template_function(name="other")``. The function is
    returned unchanged, so Python code may call it too."""

    def register(target: F) -> F:
        registered = _describe(target, name or getattr(target, "__name__", ""))
        _REGISTRY[registered.name] = registered
        return target

    return register if function is None else register(function)


def user_function(name: str) -> UserFunction | None:
    """The registered function of that name (the project's functions file is read first), or None."""
    load_project_functions()
    return _REGISTRY.get(name)


def user_function_names() -> list[str]:
    """The names of every registered function."""
    return sorted(_REGISTRY)


def load_project_functions(path: Path | None = None) -> None:
    """Read the project's functions file once (nothing happens when there is none); a broken one raises its
    FunctionsFileError each time it is asked for."""
    path = FUNCTIONS_FILE if path is None else path
    if path not in _loaded:
        _loaded[path] = None
        if path.is_file():
            try:
                load_functions_file(path)
            except FunctionsFileError as exc:
                _loaded[path] = exc
    failure = _loaded[path]
    if failure is not None:
        raise FunctionsFileError(str(failure))


def load_functions_file(path: Path) -> None:
    """Run a functions file, registering what it decorates; raise FunctionsFileError naming the file and line."""
    display = shown(path)
    spec = importlib.util.spec_from_file_location(_MODULE_NAME, path)
    if spec is None or spec.loader is None:
        raise FunctionsFileError(f"{display}: cannot be read as Python")
    module = importlib.util.module_from_spec(spec)
    previous = sys.modules.get(_MODULE_NAME)
    sys.modules[_MODULE_NAME] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        line = f":{exc.lineno}" if exc.lineno else ""
        raise FunctionsFileError(f"{display}{line}: syntax error: {exc.msg}") from None
    except Exception as exc:  # anything the file raises while it is imported
        raise FunctionsFileError(f"{display}{_line_in(path, exc)}: {type(exc).__name__}: {exc}") from None
    finally:
        if previous is None:
            sys.modules.pop(_MODULE_NAME, None)
        else:
            sys.modules[_MODULE_NAME] = previous


def _line_in(path: Path, exc: BaseException) -> str:
    """``:N``, the last line of ``path`` the traceback passed through ('' when it did not)."""
    lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__) if Path(frame.filename) == path]
    return f":{lines[-1]}" if lines else ""


_BUILT_INS: set[str] = set()
"""The built-in functions' names, which no user function may take (common.cases.templating reserves them)."""


def reserve_built_ins(names: Iterable[str]) -> None:
    """Keep ``names`` for the built-in functions."""
    _BUILT_INS.update(names)


def _describe(function: Any, name: str) -> UserFunction:
    if not callable(function):
        raise FunctionDefinitionError(f"@template_function decorates a function, not {function!r}")
    if not _NAME.match(name):
        raise FunctionDefinitionError(f"'{name}' cannot be a template function name: use letters, digits and _")
    if name in _BUILT_INS:
        raise FunctionDefinitionError(f"'{name}' is a built-in template function: choose another name")
    where = _where(function)
    existing = _REGISTRY.get(name)
    if existing is not None and existing.where != where:
        raise FunctionDefinitionError(f"template function '{name}' is already defined at {existing.where}")
    try:
        signature = inspect.signature(function, eval_str=True)
    except (NameError, TypeError, ValueError) as exc:
        raise FunctionDefinitionError(f"template function '{name}': cannot read its signature: {exc}") from None
    parameters = []
    for parameter in signature.parameters.values():
        if parameter.kind in (parameter.KEYWORD_ONLY, parameter.VAR_KEYWORD):
            raise FunctionDefinitionError(
                f"template function '{name}': parameter '{parameter.name}' is keyword-only; cases pass arguments "
                "by position"
            )
        kinds = _kinds(parameter.annotation, name, parameter.name)
        parameters.append(
            Parameter(
                parameter.name,
                kinds,
                required=parameter.default is parameter.empty and parameter.kind != parameter.VAR_POSITIONAL,
                variadic=parameter.kind == parameter.VAR_POSITIONAL,
                default=None if parameter.default is parameter.empty else parameter.default,
            )
        )
    return UserFunction(name, function, tuple(parameters), where)


def _kinds(annotation: Any, function: str, parameter: str) -> tuple[type, ...] | None:
    if annotation in (inspect.Parameter.empty, Any, object):
        return None
    if annotation is None:
        annotation = type(None)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        kinds: list[type] = []
        for member in typing.get_args(annotation):
            member_kinds = _kinds(member, function, parameter)
            if member_kinds is None:
                return None
            kinds += [kind for kind in member_kinds if kind not in kinds]
        return tuple(kinds)
    base = origin if origin in (list, dict) else annotation
    if base not in _KINDS:
        raise FunctionDefinitionError(
            f"template function '{function}': parameter '{parameter}' is annotated {annotation!r}; use int, float, "
            "str, bool, list, dict (or a union of them), Any or nothing"
        )
    return _KINDS[base]


def _where(function: Any) -> str:
    code = getattr(function, "__code__", None)
    if code is None:
        return repr(function)
    return f"{shown(Path(code.co_filename))}:{code.co_firstlineno}"


def _kind_name(kind: type) -> str:
    return _KIND_NAMES.get(kind, kind.__name__)


def _literal_kind(value: Any) -> str:
    return _KIND_NAMES.get(type(value), type(value).__name__)
