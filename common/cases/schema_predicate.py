"""A JSON Schema compiled into one yes/no function: does a document conform?

jsonschema explains every violation, and pays for it on every value it walks (a validator object per
subschema). Nearly every document the project checks conforms, so a ``SchemaCheck`` asks the compiled
predicate first and lets jsonschema walk the document only when the answer is no. The predicate knows the
draft 2020-12 keywords the project's schemas use, with jsonschema's meaning (``True`` is not ``1``, ``1.0`` is
an integer, ``pattern`` is ``re.search``); a schema using any other keyword gets no predicate and is always
walked by jsonschema.
"""

from __future__ import annotations

import functools
import numbers
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

Predicate = Callable[[Any], bool]

_ANNOTATIONS = frozenset({"description", "title", "$comment", "examples", "default", "$schema", "$id", "$defs"})
_LOCAL_DEFINITION = "#/$defs/"


class _Unsupported(Exception):
    """The schema uses a keyword (or a reference) the predicate does not know."""


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False


def _is_integer(value: Any) -> bool:
    """Draft 6 and later: a whole number, ``1.0`` too; never a boolean."""
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    if type(value) is int or type(value) is float:  # what JSON and YAML give, without the abstract check
        return True
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


_TYPES: dict[str, Predicate] = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "integer": _is_integer,
    "number": _is_number,
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
}


def _equal(one: Any, two: Any) -> bool:
    """JSON equality: ``True`` is not ``1``, lists and mappings compare item by item."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return one == two
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(key in two and _equal(value, two[key]) for key, value in one.items())
    if isinstance(one, bool) or isinstance(two, bool):
        return isinstance(one, bool) and isinstance(two, bool) and one == two
    return one == two


def compile_predicate(schema: Any) -> Predicate | None:
    """``schema`` as a function telling whether a document conforms; None when it uses a keyword not known here."""
    try:
        return _Compiler(schema).compile(schema)
    except _Unsupported:
        return None


class _Compiler:
    """Compiles the subschemas of one root schema; a ``$ref`` is compiled once, when first met."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.references: dict[str, Predicate] = {}

    def compile(self, schema: Any) -> Predicate:
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, dict):
            raise _Unsupported(schema)
        unknown = schema.keys() - _ANNOTATIONS - _KEYWORDS
        if unknown:
            raise _Unsupported(sorted(unknown))
        checks = [self._object(schema)] if schema.keys() & _OBJECT_KEYWORDS else []
        checks += [build(self, schema[keyword], schema) for keyword, build in _CHECKS.items() if keyword in schema]
        return _all_of(checks)

    def reference(self, target: str) -> Predicate:
        """The predicate of a local reference, compiled lazily so that a definition may refer to itself."""
        if target not in self.references:
            if target == "#":
                schema = self.root
            elif target.startswith(_LOCAL_DEFINITION):
                schema = self.root.get("$defs", {}).get(target.removeprefix(_LOCAL_DEFINITION), _MISSING)
            else:
                raise _Unsupported(target)
            if schema is _MISSING:
                raise _Unsupported(target)
            compiled: list[Predicate] = []
            self.references[target] = lambda value: compiled[0](value)
            compiled.append(self.compile(schema))
        return self.references[target]

    def _object(self, schema: dict[str, Any]) -> Predicate:
        """``properties``, ``required``, ``additionalProperties``, ``propertyNames``, ``dependentRequired`` and the
        size limits in one pass over a mapping."""
        properties = {name: self.compile(sub) for name, sub in schema.get("properties", {}).items()}
        required = tuple(schema.get("required", ()))
        additional = self.compile(schema["additionalProperties"]) if "additionalProperties" in schema else None
        names = self.compile(schema["propertyNames"]) if "propertyNames" in schema else None
        dependent = tuple((key, tuple(needed)) for key, needed in schema.get("dependentRequired", {}).items())
        least, most = schema.get("minProperties", 0), schema.get("maxProperties")

        def conforms(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            if len(value) < least or (most is not None and len(value) > most):
                return False
            for name in required:
                if name not in value:
                    return False
            for key, item in value.items():
                check = properties.get(key, additional)
                if check is not None and not check(item):
                    return False
                if names is not None and not names(key):
                    return False
            return all(all(name in value for name in needed) for key, needed in dependent if key in value)

        return conforms


_MISSING = object()
_OBJECT_KEYWORDS = frozenset(
    {"properties", "required", "additionalProperties", "propertyNames", "dependentRequired"}
    | {"minProperties", "maxProperties"}
)


def _all_of(checks: list[Predicate]) -> Predicate:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]

    def conforms(value: Any) -> bool:
        for check in checks:  # noqa: SIM110 - a loop is a third faster than all() over a generator, per value
            if not check(value):
                return False
        return True

    return conforms


def _type(compiler: _Compiler, types: Any, schema: dict[str, Any]) -> Predicate:
    names = [types] if isinstance(types, str) else list(types)
    if any(name not in _TYPES for name in names):
        raise _Unsupported(types)
    checks = [_TYPES[name] for name in names]
    return checks[0] if len(checks) == 1 else lambda value: any(check(value) for check in checks)


def _enum(compiler: _Compiler, options: list[Any], schema: dict[str, Any]) -> Predicate:
    texts = frozenset(option for option in options if isinstance(option, str))
    others = [option for option in options if not isinstance(option, str)]
    return lambda value: (value in texts) if isinstance(value, str) else any(_equal(value, o) for o in others)


def _const(compiler: _Compiler, constant: Any, schema: dict[str, Any]) -> Predicate:
    return lambda value: _equal(value, constant)


def _pattern(compiler: _Compiler, pattern: str, schema: dict[str, Any]) -> Predicate:
    search = re.compile(pattern).search
    return lambda value: not isinstance(value, str) or search(value) is not None


def _min_length(compiler: _Compiler, least: int, schema: dict[str, Any]) -> Predicate:
    return lambda value: not isinstance(value, str) or len(value) >= least


def _max_length(compiler: _Compiler, most: int, schema: dict[str, Any]) -> Predicate:
    return lambda value: not isinstance(value, str) or len(value) <= most


def _minimum(compiler: _Compiler, least: Any, schema: dict[str, Any]) -> Predicate:
    return lambda value: not _is_number(value) or value >= least


def _maximum(compiler: _Compiler, most: Any, schema: dict[str, Any]) -> Predicate:
    return lambda value: not _is_number(value) or value <= most


def _items(compiler: _Compiler, items: Any, schema: dict[str, Any]) -> Predicate:
    check = compiler.compile(items)
    return lambda value: not isinstance(value, list) or all(check(item) for item in value)


def _min_items(compiler: _Compiler, least: int, schema: dict[str, Any]) -> Predicate:
    return lambda value: not isinstance(value, list) or len(value) >= least


def _max_items(compiler: _Compiler, most: int, schema: dict[str, Any]) -> Predicate:
    return lambda value: not isinstance(value, list) or len(value) <= most


def _unique_items(compiler: _Compiler, unique: bool, schema: dict[str, Any]) -> Predicate:
    def conforms(value: Any) -> bool:
        if not unique or not isinstance(value, list):
            return True
        return not any(_equal(value[i], value[j]) for i in range(len(value)) for j in range(i + 1, len(value)))

    return conforms


def _not(compiler: _Compiler, sub: Any, schema: dict[str, Any]) -> Predicate:
    check = compiler.compile(sub)
    return lambda value: not check(value)


def _any_of(compiler: _Compiler, subs: list[Any], schema: dict[str, Any]) -> Predicate:
    checks = [compiler.compile(sub) for sub in subs]
    return lambda value: any(check(value) for check in checks)


def _one_of(compiler: _Compiler, subs: list[Any], schema: dict[str, Any]) -> Predicate:
    checks = [compiler.compile(sub) for sub in subs]
    return lambda value: sum(1 for check in checks if check(value)) == 1


def _all_of_keyword(compiler: _Compiler, subs: list[Any], schema: dict[str, Any]) -> Predicate:
    return _all_of([compiler.compile(sub) for sub in subs])


def _if(compiler: _Compiler, condition: Any, schema: dict[str, Any]) -> Predicate:
    test = compiler.compile(condition)
    then = compiler.compile(schema.get("then", True))
    otherwise = compiler.compile(schema.get("else", True))
    return lambda value: then(value) if test(value) else otherwise(value)


def _ref(compiler: _Compiler, target: Any, schema: dict[str, Any]) -> Predicate:
    if not isinstance(target, str):
        raise _Unsupported(target)
    return compiler.reference(target)


def _applied_by_if(compiler: _Compiler, sub: Any, schema: dict[str, Any]) -> Predicate:
    """``then``/``else``: applied by ``if``; without one they are annotations."""
    return _always


_CHECKS: dict[str, Callable[[_Compiler, Any, dict[str, Any]], Predicate]] = {
    "type": _type,
    "enum": _enum,
    "const": _const,
    "pattern": _pattern,
    "minLength": _min_length,
    "maxLength": _max_length,
    "minimum": _minimum,
    "maximum": _maximum,
    "items": _items,
    "minItems": _min_items,
    "maxItems": _max_items,
    "uniqueItems": _unique_items,
    "not": _not,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "allOf": _all_of_keyword,
    "if": _if,
    "then": _applied_by_if,
    "else": _applied_by_if,
    "$ref": _ref,
}
_KEYWORDS = frozenset(_CHECKS) | _OBJECT_KEYWORDS


class SchemaCheck:
    """A jsonschema validator that answers a conforming document from the compiled predicate, without walking it."""

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self.conforms = compile_predicate(schema)

    @functools.cached_property
    def validator(self) -> Draft202012Validator:
        """jsonschema's validator, made when a document first needs one: a run whose documents all conform never
        imports jsonschema."""
        from jsonschema import Draft202012Validator

        return Draft202012Validator(self.schema)

    def iter_errors(self, instance: Any) -> Iterator[ValidationError]:
        """Every violation, as jsonschema finds them; nothing at all when the predicate says it conforms."""
        if self.conforms is not None and self.conforms(instance):
            return iter(())
        return self.validator.iter_errors(instance)
