"""A YAML file against its JSON Schema: every violation one ``Mistake`` naming the file, line and field, with
what to write instead.

Every YAML file the project reads is checked this way when it is loaded: a case file against
``schemas/case-format.schema.json``, the tenant profile, the endpoint spec, the live rules and the sweep spec
against theirs under ``schemas/config/``. A file kind may word some violations its own way (``Describe``).

Where the schema's own words would not help, a rule's ``description`` gives them: a ``oneOf``/``anyOf``'s says what
is expected, a ``not``'s is the problem itself (``has no value: fill it in``), a ``propertyNames``'s follows the key.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from common.cases.schema_predicate import SchemaCheck
from common.cases.yaml_source import PathKey, YamlDocument
from common.core.errors import Mistake

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

Describe = Callable[["ValidationError"], str | None]
"""A file kind's own wording of a violation; None leaves it to the common wording."""

_VALIDATE_NOTHING = frozenset({"description", "title", "$comment", "examples", "default", "$defs", "$schema"})
_LOCAL_DEFINITION = "#/$defs/"


@dataclass(frozen=True)
class Violation:
    """One schema violation: the path (from the base given) of what it breaks, and the mistake as shown."""

    broken: PathKey
    mistake: Mistake


def compile_schema(schema: dict[str, Any]) -> SchemaCheck:
    """A validator of ``schema`` with each ``{"$ref": "#/$defs/NAME"}`` (beside keywords that validate nothing)
    replaced by the definition.

    jsonschema resolves a reference each time it meets one, i.e. several times per case; validating against
    the inlined schema is a third faster. A definition that refers to itself keeps its reference. A file that
    conforms is answered by the compiled predicate (``SchemaCheck``) without a walk.
    """
    return SchemaCheck(_definitions_inlined(schema, schema))


def schema_mistakes(validator: SchemaCheck, doc: YamlDocument, describe: Describe | None = None) -> list[Mistake]:
    """Every way the file breaks the schema, one mistake each (an unknown or missing key: one per key), in the
    order of the file."""
    return [
        violation.mistake for violation in violations(list(validator.iter_errors(doc.data)), doc, describe=describe)
    ]


def violations(
    errors: list[ValidationError],
    doc: YamlDocument,
    base: PathKey = (),
    case: str | None = None,
    describe: Describe | None = None,
) -> list[Violation]:
    """The violations ``errors`` (all inside ``base``) stand for, each with a hint of what to write instead; fields
    are named from ``base``, inside ``case`` when it is given."""
    if not errors:
        return []
    from jsonschema.exceptions import best_match  # jsonschema loads only when a file breaks its schema

    typed = {tuple(error.absolute_path) for error in errors if error.validator == "type"}
    meant = _meant_keys(errors)
    found: list[tuple[PathKey, PathKey, str]] = []  # what it breaks, where it is shown, the problem
    for error in errors:
        if error.validator != "type" and tuple(error.absolute_path) in typed:
            continue  # "must be an object" says it; what an object there would need is beside the point
        if meant.get(tuple(error.absolute_path), set()) & _branch_keys(error):
            continue  # "unknown key 'requst': did you mean 'request'?" says it
        error = best_match([error])
        while error.validator in ("oneOf", "anyOf") and error.context and not _only_required(error):
            deeper = best_match(error.context)
            if len(deeper.absolute_path) <= len(error.absolute_path) and error.validator == "oneOf":
                break
            error = deeper
        path = tuple(error.absolute_path)
        own = describe(error) if describe is not None else None
        if "propertyNames" in error.schema_path:
            key_path = (*path, error.instance)
            found.append((key_path, key_path, own or _describe_key(error)))
        elif own is not None:
            found.append((path, path, own))
        elif error.validator == "additionalProperties":
            allowed = sorted(error.schema.get("properties", {}))
            extras = sorted(set(error.instance) - set(allowed), key=str) or ["?"]
            found += [((*path, extra), (*path, extra), _describe_extra(str(extra), allowed)) for extra in extras]
        elif error.validator == "required":
            wrongly_spelt = meant.get(path, set())
            missing = [key for key in error.validator_value if key not in error.instance and key not in wrongly_spelt]
            found += [((*path, key), path, f"missing required key '{key}'") for key in missing]
        else:
            found.append((path, path, _describe(error)))
    return [
        Violation(broken[len(base) :], Mistake(doc.source(shown[len(base) :], base, case), problem))
        for broken, shown, problem in sorted(found, key=lambda item: doc.line_of(item[1]) or 0)
    ]


def _branch_keys(error: ValidationError) -> set[str]:
    """The keys the branches of a oneOf/anyOf require (``request`` or ``steps``), which a misspelt key may mean."""
    if error.validator not in ("oneOf", "anyOf") or not isinstance(error.validator_value, list):
        return set()
    return {key for branch in error.validator_value if isinstance(branch, dict) for key in branch.get("required", [])}


def _meant_keys(errors: list[ValidationError]) -> dict[PathKey, set[str]]:
    """By object, the keys its unknown keys look like misspellings of (``requst`` → ``request``)."""
    meant: dict[PathKey, set[str]] = {}
    for error in errors:
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = sorted(error.schema.get("properties", {}))
            for extra in set(error.instance) - set(allowed):
                hint = difflib.get_close_matches(str(extra), allowed, n=1)
                meant.setdefault(tuple(error.absolute_path), set()).update(hint)
    return meant


def _describe_key(error: ValidationError) -> str:
    """Why a key is not allowed: the key rule's description, else the schema's word."""
    description = error.schema.get("description") if isinstance(error.schema, dict) else None
    return f"'{error.instance}' {description}" if description else f"key '{error.instance}': {error.message}"


def _describe_extra(extra: str, allowed: list[str]) -> str:
    hint = difflib.get_close_matches(extra, allowed, n=1)
    suggestion = f"did you mean '{hint[0]}'?" if hint else f"allowed keys: {', '.join(allowed)}"
    return f"unknown key '{extra}': {suggestion}"


def _describe(error: ValidationError) -> str:
    validator, schema, instance = error.validator, error.schema, error.instance
    if validator == "type":
        wanted = error.validator_value
        wanted_text = " or ".join(wanted) if isinstance(wanted, list) else wanted
        return f"must be {_article(wanted_text)}, got {instance!r}"
    if validator == "enum":
        return f"must be one of {', '.join(map(str, error.validator_value))}; got {instance!r}"
    if validator == "const":
        return f"must be {json.dumps(error.validator_value)}, got {instance!r}"
    if validator == "pattern" and error.validator_value == "\\S":
        return "must not be empty"  # nor blank
    if validator == "pattern":
        return f"{instance!r} has the wrong form (pattern {error.validator_value})"
    keys = _only_required(error)
    if keys:
        return f"give {'exactly' if validator == 'oneOf' else 'at least'} one of {', '.join(keys)}"
    if validator in ("oneOf", "anyOf", "not") and "description" in schema:
        expected = schema["description"].split(". ")[0].rstrip(".")
        if validator == "not":
            return expected
        return f"got {instance!r}; expected {expected[0].lower()}{expected[1:]}"
    if validator == "dependentRequired":
        return error.message.replace("is a dependency of", "must come with")
    if validator in ("minItems", "minProperties", "minLength"):
        return "must not be empty"
    return error.message


def _only_required(error: ValidationError) -> list[str]:
    """The keys of a oneOf/anyOf whose branches each only require one key (``equals``, ``absent`` or ``within``)."""
    branches = error.validator_value if error.validator in ("oneOf", "anyOf") else None
    if not isinstance(branches, list) or not all(isinstance(b, dict) and set(b) == {"required"} for b in branches):
        return []
    return [key for branch in branches for key in branch["required"]]


def _article(type_name: str) -> str:
    return f"an {type_name}" if type_name[0] in "aeiou" else f"a {type_name}"


def _definitions_inlined(schema: Any, root: dict[str, Any], inlining: tuple[str, ...] = ()) -> Any:
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
