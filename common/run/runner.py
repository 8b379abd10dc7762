"""The step loop: for each step render → send → check → save; teardown steps always run afterwards."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from common.cases.jsonpath import MISSING, extract
from common.cases.model import Case, Pagination, Step
from common.cases.problems import ChecksFailed, Kind, Outcome, Problem, problems
from common.cases.schemas import SchemaStore
from common.cases.templating import Context, TemplateError, tenant_zone
from common.core.errors import CheckFailure, ConfigError, FrameworkError, TransportError
from common.dingtalk.api import ApiRequest, DingTalkClient, NoAnswer, is_error
from common.dingtalk.paging import WalkProblem, walk_pages
from common.http.curl import to_curl
from common.http.masking import Masker
from common.http.transport import Response
from common.report.allure import AllureReporter
from common.run.checks import CheckContext, field_outcomes, field_problems, run_checks
from common.run.write_ledger import WriteLedger


class StepError(FrameworkError):
    """A step could not be carried out: a template did not render (``kind`` render), the host did not answer
    (``kind`` transport)."""

    def __init__(self, message: str, kind: Kind = "render") -> None:
        super().__init__(message)
        self.kind: Kind = kind


class HostUnreachable(StepError):
    """The host refused the connection or never answered, after every retry."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message, "transport")
        self.reason = reason


def problems_of(failure: BaseException) -> tuple[Problem, ...]:
    """What a step's failure found, as data: the problems of its checks, or the one its error stands for."""
    if isinstance(failure, ChecksFailed):
        return failure.problems
    if isinstance(failure, StepError):
        return (Outcome(failure.kind, "", None, None, str(failure), comparator=""),)
    return ()


def stops_the_run(failure: BaseException) -> bool:
    """True for a failure every later case would meet too: an unreachable host, credentials DingTalk refuses."""
    return isinstance(failure, HostUnreachable | ConfigError)


def stop_reason(failure: BaseException) -> str:
    """The one line that says why the run stops."""
    return f"the run stops: {failure.reason if isinstance(failure, HostUnreachable) else failure}"


@dataclass(frozen=True)
class CaseRunner:
    """Runs cases against one client; holds nothing that changes between cases."""

    client: DingTalkClient
    schemas: SchemaStore
    reporter: AllureReporter
    masker: Masker
    builtins: dict[str, Any]
    clock: Callable[[], float] = time.time
    ledger: WriteLedger | None = None
    """Where successful writes are noted for the run's closing line."""

    def run(self, case: Case, uid: str) -> None:
        """Run every step, then every teardown step; raise the first failure, teardown problems noted on it."""
        __tracebackhide__ = True
        variables: dict[str, Any] = {**self.builtins, "uid": uid}
        variables.update(case.variables(self._context(variables)))  # the row of its parametrize table
        self.reporter.label(case)
        failure: BaseException | None = None
        try:
            for step in case.steps:
                self._run_step(case, step, variables)
        except BaseException as exc:
            failure = exc
            self.reporter.failed(problems_of(exc))
            raise
        finally:
            if failure is not None and stops_the_run(failure):
                with self.reporter.step(f"teardown skipped: {stop_reason(failure)}"):
                    pass
                teardown_problems = []
            else:
                teardown_problems = self._run_teardown(case, variables)
            if failure is not None and teardown_problems:
                failure.add_note("teardown also failed:\n" + "\n".join(teardown_problems))
        if teardown_problems:
            raise CheckFailure(f"{case.source.file}: teardown failed", teardown_problems)

    def _run_teardown(self, case: Case, variables: dict[str, Any]) -> list[str]:
        problems = []
        for step in case.teardown:
            missing = sorted(name for name in step.needs if name not in variables)
            if missing:
                with self.reporter.step(f"teardown skipped: {step.name} (never saved: {', '.join(missing)})"):
                    continue
            try:
                with self.reporter.step(f"teardown: {step.name}"):
                    self._run_step(case, step, variables)
            except (CheckFailure, FrameworkError) as exc:
                problems.append(str(exc))
        return problems

    def _run_step(self, case: Case, step: Step, variables: dict[str, Any]) -> None:
        __tracebackhide__ = True
        unmet = self._unmet_condition(step, variables)
        if unmet is not None:
            with self.reporter.step(f"skipped: {step.name} (when: {unmet})"):
                return
        with self.reporter.step(step.name):
            if step.for_each is not None:
                body = self._run_for_each(case, step, variables).body
            elif step.paginate is not None:
                body = self._run_pages(case, step, step.paginate, variables)
            else:
                body = self._exchange(case, step, self._request(case, step, variables), variables).body
            for save in step.saves:
                value = extract(body, save.parts)
                if value is MISSING:
                    reason = f"nothing at {save.path}"
                    where, label = str(step.source), f"save {save.name}"
                    problem = Outcome("save", save.path, "a value", MISSING, reason, "exists", where, label)
                    self.reporter.checks([problem])
                    title = f"{step.source} case '{case.id}' step '{step.name}'"
                    raise ChecksFailed(title, [problem], mask=self.masker)
                variables[save.name] = value

    def _context(self, variables: dict[str, Any]) -> Context:
        """What templates render from: the variables, the run's clock and the tenant's zone (profile.timezone)."""
        return Context(variables, self.clock, tenant_zone(variables.get("profile")))

    def _check_context(self, variables: dict[str, Any]) -> CheckContext:
        return CheckContext(self.schemas, self._context(variables))

    def _unmet_condition(self, step: Step, variables: dict[str, Any]) -> str | None:
        """The first ``when`` assertion that does not hold over the saved variables, or None."""
        unmet = field_problems(step.when, variables, self._check_context(variables))
        return unmet[0].line() if unmet else None

    def _run_for_each(self, case: Case, step: Step, variables: dict[str, Any]) -> Response:
        __tracebackhide__ = True
        items = self._render(case, step, step.for_each, variables)
        if not isinstance(items, list):
            raise StepError(f"{step.source} step '{step.name}': for_each needs a list, got {items!r}")
        unusable: list[str] = []
        for number, item in enumerate(items, 1):
            scope = {**variables, "item": item}
            with self.reporter.step(f"item {number} of {len(items)}: {item}"):
                try:
                    response = self._exchange(case, step, self._request(case, step, scope), scope)
                except CheckFailure as exc:
                    # the item may have gone meanwhile (another worker or person deleted it): not a match
                    unusable.append(f"item {number} ({item}): {'; '.join(exc.failures)}")
                    continue
                context = self._check_context(scope)
                if not field_problems(step.until, response.body, context):
                    return response
        wanted = ", ".join(check.describe() for check in step.until)
        raise CheckFailure(
            f"{step.source} step '{step.name}': none of the {len(items)} items matched until: {wanted}", unusable[:5]
        )

    def _run_pages(self, case: Case, step: Step, paging: Pagination, variables: dict[str, Any]) -> dict[str, Any]:
        """Send the request page after page; every page is checked; returns ``{items, pages}``."""
        __tracebackhide__ = True
        numbers = itertools.count(1)

        def send_page(request: ApiRequest) -> Response:
            __tracebackhide__ = True
            with self.reporter.step(f"page {next(numbers)}"):
                return self._exchange(case, step, request, variables)

        gathered: list[Any] = []
        pages = 0
        for page in walk_pages(self._request(case, step, variables), paging, send_page):
            if isinstance(page, WalkProblem):
                path = f"paginate.{page.key}" if page.key else "paginate"
                problem = Outcome("paging", path, page.expected, page.actual, page.reason, comparator="")
                raise self._failure(case, step, page.response, [problem])
            gathered += page.items
            pages = page.number
        aggregate = {"items": gathered, "pages": pages}
        collected = field_outcomes(paging.collect, aggregate, self._check_context(variables))
        self.reporter.checks(collected)
        found = problems(collected)
        if found:
            title = f"{step.source} case '{case.id}' step '{step.name}': over {pages} pages"
            raise ChecksFailed(title, found, mask=self.masker)
        return aggregate

    def _request(self, case: Case, step: Step, variables: dict[str, Any]) -> ApiRequest:
        spec = step.request
        return ApiRequest(
            api=spec.api,
            method=spec.method,
            path=spec.path,
            params=self._render(case, step, spec.query, variables) or {},
            json=self._render(case, step, spec.json, variables),
            headers=self._render(case, step, spec.headers, variables) or {},
            auth=spec.auth,
            creates=spec.creates,
        )

    def _exchange(self, case: Case, step: Step, request: ApiRequest, variables: dict[str, Any]) -> Response:
        """Send and check one request; raise CheckFailure listing every problem."""
        __tracebackhide__ = True
        try:
            response = self.client.send(request)
        except NoAnswer as exc:
            message = f"{step.source} step '{step.name}': {exc}"
            if exc.failure.host_unreachable:
                raise HostUnreachable(message, str(exc)) from None
            raise StepError(message, "transport") from None
        except TransportError as exc:
            raise StepError(f"{step.source} step '{step.name}': {exc}", "transport") from None
        if self.ledger is not None and step.request.writes and not is_error(step.request.api, response):
            self.ledger.record(step.request.writes, step.request.object)
        if isinstance(response.body, dict) and isinstance(response.body.get("access_token"), str):
            self.masker.add(response.body["access_token"])  # a token a case asked for is as secret as the run's
        self.reporter.exchange(response)
        outcomes = run_checks(response, step, self._check_context(variables))
        self.reporter.checks(outcomes)
        found = problems(outcomes)
        if found:
            self.reporter.failed_exchange(response.request)
            raise self._failure(case, step, response, found)
        return response

    def _render(self, case: Case, step: Step, template: Any, variables: dict[str, Any]) -> Any:
        if template is None:
            return None
        try:
            return template.render(self._context(variables))
        except TemplateError as exc:
            raise StepError(f"{step.source} case '{case.id}' step '{step.name}': {exc}") from None

    def _failure(self, case: Case, step: Step, response: Response, found: list[Problem]) -> ChecksFailed:
        exchange = f"{step.request.method} {step.request.path} → HTTP {response.status}"
        if response.attempts > 1:
            exchange += f" (after {response.attempts} attempts)"
        named = "" if step.name == f"{step.request.method} {step.request.path}" else f" step '{step.name}'"
        title = f"{step.source} case '{case.id}'{named}: {exchange}"
        return ChecksFailed(title, found, self.masker(to_curl(response.request)), self.masker)
