"""Public fixtures for tests written in Python, when YAML is not enough: ``dingtalk``, ``tenant_profile``,
``run_id`` and ``uid``; the ``sandbox_only`` marker; and the project's template functions read at start-up.

A hand-written test in ``testcases/`` gets what a YAML case gets::

    def test_categories(dingtalk, tenant_profile):
        admin = tenant_profile["admin_userid"]
        answer = dingtalk.post("/topapi/blackboard/category/list", json={"operation_userid": admin})
        assert answer.body["result"]

``dingtalk`` sends through the run's own client: the one token of the run (fetched once for every worker,
refreshed when DingTalk rejects it, masked everywhere), the retries and the shared rate limit, each exchange
attached to Allure, and every answer checked against its endpoint's schema. Unless told ``check=False``, an answer
that is not a success (an HTTP error, or ``errcode`` ≠ 0 on the old host) fails the test with the request's curl
line, as a YAML case's does. A request to an endpoint ``data/spec/endpoints.yaml`` flags as writing is noted in
the run's write ledger and, on a live tenant without ``DINGTALK_ALLOW_WRITES=1``, skips the test.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable, Mapping
from typing import Any, Literal

import pytest

from common.cases.endpoints import Endpoint, writing_endpoints
from common.cases.functions import FunctionsFileError, load_project_functions
from common.cases.model import Auth
from common.cases.schemas import SchemaStore
from common.core.errors import CheckFailure
from common.dingtalk import api as dingtalk_api
from common.dingtalk.api import ApiRequest, NoAnswer
from common.http.curl import to_curl
from common.http.transport import Response
from common.plugin.suite import SUITE
from common.run.runner import CaseRunner

Api = Literal["oapi", "api"]
AuthMode = Literal["token", "none", "invalid", "app", "robot", "robot_wrong_sign", "robot_stale_timestamp"]
LIVE_WRITES_SKIP = "writes to the live tenant: set DINGTALK_ALLOW_WRITES=1 to run it"


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sandbox_only(reason): a hand-written test of the sandbox's own behaviour, skipped on live"
    )
    try:
        load_project_functions()
    except FunctionsFileError as exc:
        raise pytest.UsageError(str(exc)) from None


def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("sandbox_only")
    if marker is None or SUITE not in item.config.stash or "case" in getattr(item, "fixturenames", ()):
        return  # a YAML case says sandbox_only: in its YAML (a tag of that name is only a marker)
    reason = marker.args[0] if marker.args else marker.kwargs.get("reason", "")
    if not isinstance(reason, str) or not reason.strip():
        pytest.fail(f"{item.nodeid}: sandbox_only needs a reason: why the docs do not state it", pytrace=False)
    if item.config.stash[SUITE].settings.target == "live":
        pytest.skip(f"the sandbox's own behaviour, not documented by DingTalk: {reason}")


class DingTalk:
    """The run's DingTalk client with a small API for tests: ``get``, ``post`` and ``send``, each returning the
    project's ``Response`` (``status``, ``body``, ``text``, ``headers``)."""

    def __init__(
        self,
        runner: CaseRunner,
        *,
        live: bool = False,
        allow_writes: bool = False,
        writing: Mapping[tuple[str, str], Endpoint] | None = None,
        on_unreachable: Callable[[str], None] | None = None,
    ) -> None:
        self._runner = runner
        self._live = live
        self._allow_writes = allow_writes
        self._writing = writing_endpoints() if writing is None else writing
        self._on_unreachable = on_unreachable

    def get(
        self,
        path: str,
        *,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        api: Api = "oapi",
        auth: AuthMode = "token",
        check: bool = True,
        schema: str | None = None,
    ) -> Response:
        """``GET path``; see ``send``."""
        __tracebackhide__ = True
        return self.send("GET", path, query=query, headers=headers, api=api, auth=auth, check=check, schema=schema)

    def post(
        self,
        path: str,
        *,
        json: Any = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        api: Api = "oapi",
        auth: AuthMode = "token",
        check: bool = True,
        schema: str | None = None,
    ) -> Response:
        """``POST path`` with a JSON body; see ``send``."""
        __tracebackhide__ = True
        return self.send(
            "POST", path, json=json, query=query, headers=headers, api=api, auth=auth, check=check, schema=schema
        )

    def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        api: Api = "oapi",
        auth: AuthMode = "token",
        check: bool = True,
        schema: str | None = None,
    ) -> Response:
        """Send one request to ``api`` (``oapi``: the old host, ``api``: the new one) with ``auth`` as in a YAML
        case, and check the answer: it must fit its schema (``schema`` names another under ``schemas/``; an error
        answer is checked against the error schema), and, with ``check`` (the default), be a success. A failure
        raises ``CheckFailure`` (an AssertionError) listing every problem and the curl line to replay it."""
        __tracebackhide__ = True
        if api not in (dingtalk_api.OAPI, dingtalk_api.API):
            raise ValueError(f"api must be 'oapi' or 'api', not {api!r}")
        endpoint = self._writing.get((api, path))
        if endpoint is not None and self._live and not self._allow_writes:
            pytest.skip(LIVE_WRITES_SKIP)
        request = ApiRequest(
            api=api,
            method=method.upper(),
            path=path,
            params=dict(query or {}),
            json=json,
            headers=dict(headers or {}),
            auth=Auth(auth),
            creates=endpoint is not None and endpoint.creates,
        )
        runner = self._runner
        with runner.reporter.step(f"{request.method} {path}"):
            try:
                response = runner.client.send(request)
            except NoAnswer as exc:
                if exc.failure.host_unreachable and self._on_unreachable is not None:
                    self._on_unreachable(f"the run stops: {exc}")
                pytest.fail(runner.masker(f"{request.method} {path}: {exc}"), pytrace=False)
            if isinstance(response.body, dict) and isinstance(response.body.get("access_token"), str):
                runner.masker.add(response.body["access_token"])
            runner.reporter.exchange(response)
            problems = self.problems(request, response, check=check, schema=schema)
            if problems:
                runner.reporter.failed_exchange(response.request)
        error = dingtalk_api.is_error(api, response)
        if endpoint is not None and endpoint.writes and not error and runner.ledger is not None:
            runner.ledger.record(endpoint.writes, endpoint.object)
        if problems:
            title = f"{request.method} {path} ({api}) → HTTP {response.status}"
            masked = [runner.masker(problem) for problem in problems]
            raise CheckFailure(title, masked, runner.masker(to_curl(response.request)))
        return response

    def problems(self, request: ApiRequest, response: Response, *, check: bool, schema: str | None) -> list[str]:
        """What is wrong with ``response``: not a success (with ``check``), not fitting its schema."""
        problems: list[str] = []
        error = dingtalk_api.is_error(request.api, response)
        if check and error:
            if request.api == dingtalk_api.OAPI and response.status < 400:
                code = dingtalk_api.errcode(response.body)
                problems.append(f"errcode: expected 0, got {code} (errmsg: {dingtalk_api.errmsg(response.body)})")
            else:
                body = response.body if isinstance(response.body, dict) else {}
                problems.append(f"status: expected a success, got HTTP {response.status} {body.get('code', '')}")
        if not response.is_json:
            return [*problems, f"schema: the body is not JSON: {response.text[:120]!r}"]
        schemas: SchemaStore = self._runner.schemas
        if error:
            name = schemas.error_schema(request.api, request.path)
        else:
            name = schema or SchemaStore.success_schema(request.api, request.path)
        if not schemas.has(name):
            problems.append(f"schema: no schemas/{name}.json to check this answer against")
            return problems
        return [*problems, *(f"schema {name}: {problem}" for problem in schemas.problems(name, response.body))]


@pytest.fixture
def dingtalk(case_runner: CaseRunner, request: pytest.FixtureRequest) -> DingTalk:
    """The run's DingTalk client for a hand-written test: ``dingtalk.post(path, json=...)``,
    ``dingtalk.get(path, query=..., api="api")``; see ``DingTalk.send``."""
    settings = request.config.stash[SUITE].settings

    def stop(reason: str) -> None:
        request.session.shouldstop = reason

    return DingTalk(
        case_runner,
        live=settings.target == "live",
        allow_writes=settings.allow_writes,
        on_unreachable=stop,
    )


@pytest.fixture
def tenant_profile(pytestconfig: pytest.Config) -> dict[str, Any]:
    """The tenant profile (``data/profiles/…``, what ``${profile.KEY}`` reads in YAML): a copy per test."""
    return copy.deepcopy(pytestconfig.stash[SUITE].profile)


@pytest.fixture(scope="session")
def run_id(pytestconfig: pytest.Config) -> str:
    """The run's id, shared by every worker (what ``${run_id}`` is in YAML)."""
    return pytestconfig.stash[SUITE].run_id


@pytest.fixture
def uid(run_id: str) -> str:
    """Unique to this test's execution (what ``${uid}`` is in YAML): put it in the titles of what you create."""
    return f"{run_id}-{secrets.token_hex(3)}"
