"""Checks of a response against a step's expectations.

Every check has the signature ``check(response, step, context) -> list[str]`` and returns the
problems it found (empty: it holds). The runner runs them all and reports every problem at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from common.cases.comparators import compare
from common.cases.jsonpath import MISSING, extract, why_missing
from common.cases.model import FieldCheck, Step
from common.cases.schemas import SchemaStore
from common.cases.templating import Context, TemplateError
from common.dingtalk import api as dingtalk
from common.http.transport import Response


@dataclass(frozen=True)
class CheckContext:
    """What checks need besides the response: the schemas and the variables for expected values."""

    schemas: SchemaStore
    variables: Context


Check = Callable[[Response, Step, CheckContext], list[str]]


def check_status(response: Response, step: Step, context: CheckContext) -> list[str]:
    """The HTTP status is the expected one."""
    if response.status == step.expect.status:
        return []
    problem = f"status: expected HTTP {step.expect.status}, got {response.status}"
    body = response.body if isinstance(response.body, dict) else {}
    if body.get("code"):  # the new host's error envelope says why
        problem += f" (code: {body['code']}: {body.get('message', '')})"
    return [problem]


def check_errcode(response: Response, step: Step, context: CheckContext) -> list[str]:
    """The old host's errcode matches (errcode is read from either error envelope)."""
    actual = dingtalk.errcode(response.body)
    problems = field_problems(step.expect.errcode, {"errcode": actual} if actual is not None else {}, context)
    if problems and isinstance(response.body, dict) and response.body.get("errmsg"):
        problems[-1] += f" (errmsg: {response.body['errmsg']})"
    return problems


def check_code(response: Response, step: Step, context: CheckContext) -> list[str]:
    """The new host's error code matches."""
    return field_problems(step.expect.code, response.body, context)


def check_schema(response: Response, step: Step, context: CheckContext) -> list[str]:
    """The body conforms to the endpoint's success schema, or to the error schema when it is an error."""
    if not response.is_json:
        return [f"schema: the body is not JSON: {response.text[:120]!r}"]
    api, path = step.request.api, step.request.path
    if dingtalk.is_error(api, response):
        name = context.schemas.error_schema(api, path)
    else:
        name = step.expect.schema or SchemaStore.success_schema(api, path)
    if not context.schemas.has(name):
        return [f"schema: no schemas/{name}.json to check this {'error' if name.endswith('error') else 'answer'}"]
    return [f"schema {name}: {problem}" for problem in context.schemas.problems(name, response.body)]


def check_body(response: Response, step: Step, context: CheckContext) -> list[str]:
    """Every field assertion under ``expect.body`` holds."""
    return field_problems(step.expect.body, response.body, context)


CHECKS: tuple[Check, ...] = (check_status, check_errcode, check_code, check_schema, check_body)


def run_checks(response: Response, step: Step, context: CheckContext) -> list[str]:
    """Every problem any check finds."""
    return [problem for check in CHECKS for problem in check(response, step, context)]


def field_problems(checks: Iterable[FieldCheck], body: object, context: CheckContext) -> list[str]:
    """The failed field assertions, each as ``path: reason``."""
    problems = []
    for check in checks:
        try:
            expected = check.expected.render(context.variables)
        except TemplateError as exc:
            problems.append(f"{check.path}: cannot render the expected value: {exc}")
            continue
        actual = extract(body, check.parts)
        reason = compare(check.comparator, actual, expected)
        if reason is not None and actual is MISSING:
            reason = f"{reason} ({why_missing(body, check.parts)})"
        if reason is not None:
            problems.append(f"{check.path}: {reason}")
    return problems
