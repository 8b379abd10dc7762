"""Checks of a response against a step's expectations, as data.

Every check has the signature ``check(response, step, context) -> list[Outcome]`` and returns an outcome for each
thing it looked at, held or not (common/cases/problems.py); the failed ones are the problems. The runner runs them
all, reports every outcome and raises every problem at once. ``check_status`` and its kin return the problems
alone (empty: it holds).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from common.cases.comparators import compare
from common.cases.jsonpath import MISSING, extract, why_missing
from common.cases.model import FieldCheck, Step
from common.cases.problems import Kind, Outcome, Problem, problems
from common.cases.schemas import SchemaStore
from common.cases.templating import Context, TemplateError
from common.dingtalk import api as dingtalk
from common.http.transport import Response


@dataclass(frozen=True)
class CheckContext:
    """What checks need besides the response: the schemas and the variables for expected values."""

    schemas: SchemaStore
    variables: Context


Check = Callable[[Response, Step, CheckContext], list[Outcome]]


def status_outcomes(response: Response, step: Step, context: CheckContext) -> list[Outcome]:
    """The HTTP status is the expected one."""
    expected, actual = step.expect.status, response.status
    where = str(step.source)
    if actual == expected:
        return [Outcome("status", "status", expected, actual, where=where)]
    reason = f"expected HTTP {expected}, got {actual}"
    body = response.body if isinstance(response.body, dict) else {}
    code = body.get("code") or None
    if code:  # the new host's error envelope says why
        reason += f" (code: {code}: {body.get('message', '')})"
    return [Outcome("status", "status", expected, actual, reason, where=where, answer_code=code)]


def errcode_outcomes(response: Response, step: Step, context: CheckContext) -> list[Outcome]:
    """The old host's errcode matches (errcode is read from either error envelope)."""
    actual = dingtalk.errcode(response.body)
    outcomes = field_outcomes(
        step.expect.errcode, {"errcode": actual} if actual is not None else {}, context, "errcode"
    )
    errmsg = response.body.get("errmsg") if isinstance(response.body, dict) else None
    if not errmsg:
        return outcomes
    return [
        outcome if outcome.ok else replace(outcome, reason=f"{outcome.reason} (errmsg: {errmsg})")
        for outcome in outcomes
    ]


def code_outcomes(response: Response, step: Step, context: CheckContext) -> list[Outcome]:
    """The new host's error code matches."""
    return field_outcomes(step.expect.code, response.body, context, "code")


def schema_outcomes(response: Response, step: Step, context: CheckContext) -> list[Outcome]:
    """The body conforms to the endpoint's success schema, or to the error schema when it is an error."""
    where = str(step.source)
    if not response.is_json:
        reason = f"the body is not JSON: {response.text[:120]!r}"
        return [Outcome("schema", "$", "JSON", response.text[:120], reason, "schema", where, "schema")]
    api, path = step.request.api, step.request.path
    if dingtalk.is_error(api, response):
        name = context.schemas.error_schema(api, path)
    else:
        name = step.expect.schema or SchemaStore.success_schema(api, path)
    if not context.schemas.has(name):
        reason = f"no schemas/{name}.json to check this {'error' if name.endswith('error') else 'answer'}"
        return [Outcome("schema", "$", name, "no such schema", reason, "schema", where, "schema")]
    found = context.schemas.problems(name, response.body)
    if not found:
        return [Outcome("schema", "$", name, "conforms", comparator="schema", where=where, label=f"schema {name}")]
    return [
        Outcome("schema", "$", name, "does not conform", problem, "schema", where, f"schema {name}")
        for problem in found
    ]


def body_outcomes(response: Response, step: Step, context: CheckContext) -> list[Outcome]:
    """Every field assertion under ``expect.body``."""
    return field_outcomes(step.expect.body, response.body, context)


CHECKS: tuple[Check, ...] = (status_outcomes, errcode_outcomes, code_outcomes, schema_outcomes, body_outcomes)


def run_checks(response: Response, step: Step, context: CheckContext) -> list[Outcome]:
    """Every outcome of every check, held or not."""
    return [outcome for check in CHECKS for outcome in check(response, step, context)]


def check_status(response: Response, step: Step, context: CheckContext) -> list[Problem]:
    """The status problem, if any."""
    return problems(status_outcomes(response, step, context))


def check_errcode(response: Response, step: Step, context: CheckContext) -> list[Problem]:
    """The errcode problems."""
    return problems(errcode_outcomes(response, step, context))


def check_schema(response: Response, step: Step, context: CheckContext) -> list[Problem]:
    """The schema problems."""
    return problems(schema_outcomes(response, step, context))


def field_outcomes(
    checks: Iterable[FieldCheck], body: object, context: CheckContext, kind: Kind = "field"
) -> list[Outcome]:
    """One outcome per field assertion; a failed one's line is ``path: reason``."""
    outcomes = []
    for check in checks:
        where = str(check.source)
        try:
            expected = check.expected.render(context.variables)
        except TemplateError as exc:
            reason = f"cannot render the expected value: {exc}"
            outcomes.append(
                Outcome("render", check.path, check.expected.source, MISSING, reason, check.comparator, where)
            )
            continue
        actual = extract(body, check.parts)
        reason = compare(check.comparator, actual, expected)
        if reason is not None and actual is MISSING:
            reason = f"{reason} ({why_missing(body, check.parts)})"
        outcomes.append(Outcome(kind, check.path, expected, actual, reason, check.comparator, where))
    return outcomes


def field_problems(checks: Iterable[FieldCheck], body: object, context: CheckContext) -> list[Problem]:
    """The failed field assertions."""
    return problems(field_outcomes(checks, body, context))
