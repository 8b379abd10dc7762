"""common.report.metadata: each kind of failure, made by the framework's own code, lands in its category as
Allure 3 matches them (a runner's failure by the label its problems' kinds give it, any other by its message);
the environment is complete, readable by Allure and free of secrets; only the controlling process writes."""

from __future__ import annotations

import json
import platform
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import allure_commons
import pytest

from common.cases.loader import CaseLoader
from common.cases.model import Case, InvalidCase
from common.cases.schemas import SchemaStore
from common.core.errors import FrameworkError
from common.dingtalk.api import DingTalkClient
from common.dingtalk.settings import load_settings
from common.http.masking import Masker
from common.http.requests_transport import HttpTransport
from common.http.transport import Response
from common.plugin import report as report_plugin
from common.plugin.suite import SUITE, Suite
from common.report.allure import AllureReporter
from common.report.metadata import (
    CATEGORIES_FILE,
    CONTENT,
    ENVIRONMENT_FILE,
    ERRCODE_OR_STATUS,
    FAILURE_LABEL,
    NETWORK,
    REFUSED,
    SCHEMA,
    SETUP,
    categories_json,
    environment,
    properties_text,
    write_metadata,
)
from common.run.runner import CaseRunner
from tests.framework.fakes import PROJECT, FakeClock, FixedToken, LoadText, ScriptedClient, oapi_error, ok, response
from tests.report.allure_js import categories_of, read_properties

SECRET = "the-app-secret-0123"
CATEGORY_LIST = """\
epic: E
feature: f
cases:
  - id: c
    title: t
    request:
      path: /topapi/blackboard/category/list
      json: {operation_userid: manager1}
"""
NON_EMPTY_LIST = CATEGORY_LIST + "    expect: {body: {result: {len_ge: 1}}}\n"
DISMISSIONS = """\
epic: E
feature: f
cases:
  - id: c
    title: t
    request: {api: api, method: GET, path: /v1.0/hrm/employees/dismissions, query: {nextToken: 0}}
"""
Failure = tuple[str, str, tuple[tuple[str, str], ...]]
"""A failed case as Allure sees it: its status, its message and the labels the run gave it."""


def as_allure_sees_it(exc: BaseException, labels: tuple[tuple[str, str], ...] = ()) -> Failure:
    """The status and message allure-pytest records when the run_case fixture fails the test with ``exc``."""
    return "failed", "Failed: " + "\n".join([str(exc), *getattr(exc, "__notes__", ())]), labels


class Labels:
    """The labels that reach Allure through allure-commons' hooks."""

    def __init__(self) -> None:
        self.given: list[tuple[str, str]] = []

    @allure_commons.hookimpl
    def add_label(self, label_type: str, labels: Any) -> None:
        self.given += [(label_type, value) for value in labels]


@pytest.fixture
def run_against(load_text: LoadText, schemas: SchemaStore) -> Callable[..., Failure]:
    """Run a one-case YAML file with the real runner against ``client``; returns how its failure looks."""

    def run(yaml: str, client: Any) -> Failure:
        (case,) = load_text(yaml)
        assert isinstance(case, Case), case
        masker = Masker([SECRET])
        runner = CaseRunner(client, schemas, AllureReporter(masker), masker, {"profile": {}}, FakeClock())
        labels = Labels()
        allure_commons.plugin_manager.register(labels)
        try:
            with pytest.raises((AssertionError, FrameworkError)) as raised:
                runner.run(case, uid="u-1")
        finally:
            allure_commons.plugin_manager.unregister(labels)
        return as_allure_sees_it(raised.value, tuple(label for label in labels.given if label[0] == FAILURE_LABEL))

    return run


def answered(*answers: Response) -> ScriptedClient:
    return ScriptedClient(list(answers))


def live_client(url: str, timeout: float = 5) -> DingTalkClient:
    """The real client and transport, pointed at ``url``."""
    environ = {
        "DINGTALK_TARGET": "live",
        "DINGTALK_OAPI_URL": url,
        "DINGTALK_API_URL": url,
        "DINGTALK_APPKEY": "key",
        "DINGTALK_APPSECRET": SECRET,
        "DINGTALK_PROFILE": "data/profiles/sandbox.yaml",
        "DINGTALK_TIMEOUT": str(timeout),
        "DINGTALK_RETRIES": "0",
    }
    settings = load_settings(PROJECT, environ=environ)
    return DingTalkClient(settings, HttpTransport(settings.timeout, Masker([SECRET])), FixedToken("t").flow)


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that takes connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


@pytest.fixture
def failures(
    run_against: Callable[..., Failure], load_text: LoadText, closed_port: int, silent_port: int
) -> dict[str, tuple[Failure, str]]:
    """Each kind of failure the framework reports, and the category a reviewer should find it in."""
    busy_api = response({"requestid": "r", "code": "system.busy", "message": "busy"}, status=429)
    qps_api = response({"requestid": "r", "code": "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"}, status=403)
    (invalid,) = load_text(CATEGORY_LIST.replace("    request:", "    requst:"))
    assert isinstance(invalid, InvalidCase)
    return {
        "wrong shape": (run_against(CATEGORY_LIST, answered(ok(result={"id": "x"}))), SCHEMA),
        "wrong errcode": (run_against(CATEGORY_LIST, answered(oapi_error(40035))), ERRCODE_OR_STATUS),
        "wrong status": (run_against(CATEGORY_LIST, answered(response(ok().body, status=502))), ERRCODE_OR_STATUS),
        "wrong content": (run_against(NON_EMPTY_LIST, answered(ok(result=[]))), CONTENT),
        "rate limited": (run_against(CATEGORY_LIST, answered(oapi_error(90018))), REFUSED),
        "busy": (run_against(CATEGORY_LIST, answered(oapi_error(-1))), REFUSED),
        "busy, new host": (run_against(DISMISSIONS, answered(busy_api)), REFUSED),
        "rate limited, new host": (run_against(DISMISSIONS, answered(qps_api)), REFUSED),
        "refused connection": (run_against(CATEGORY_LIST, live_client(f"http://127.0.0.1:{closed_port}")), NETWORK),
        "timeout": (run_against(CATEGORY_LIST, live_client(f"http://127.0.0.1:{silent_port}", 0.2)), NETWORK),
        "invalid case": (as_allure_sees_it(AssertionError(invalid.message)), SETUP),
        "broken test": (("broken", "KeyError: 'result'", ()), SETUP),
    }


def test_allure_3_puts_each_kind_of_failure_in_its_category(
    failures: dict[str, tuple[Failure, str]], report_tooling: Path
) -> None:
    rules = json.loads(categories_json())
    shown = categories_of(rules, [failure for failure, _ in failures.values()])
    assert dict(zip(failures, shown, strict=True)) == {kind: category for kind, (_, category) in failures.items()}


def test_each_failure_of_the_runner_is_labelled_with_its_category(failures: dict[str, tuple[Failure, str]]) -> None:
    labelled = {kind for kind, ((_, _, labels), _) in failures.items() if labels}
    assert labelled == set(failures) - {"invalid case", "broken test"}


WORDING = CATEGORY_LIST + '    expect: {body: {"result[0].name": wanted}}\n'
"""A body assertion on a field whose value reads like a timeout."""


def test_the_category_follows_the_problems_kinds_not_the_wording(
    run_against: Callable[..., Failure], report_tooling: Path
) -> None:
    answer = ok(result=[{"id": "c1", "name": "gave up (timeout)"}])
    like_a_timeout = run_against(WORDING, answered(answer))
    assert "(timeout)" in like_a_timeout[1]
    like_a_code = run_against(WORDING.replace("result[0].name", "code"), answered(answer))
    assert "\n  - code: missing" in like_a_code[1]  # as a wrong code of the new host would read
    assert categories_of(json.loads(categories_json()), [like_a_timeout, like_a_code]) == [CONTENT, CONTENT]


def test_failure_messages_name_no_secret(failures: dict[str, tuple[Failure, str]]) -> None:
    assert [kind for kind, ((_, message, _), _) in failures.items() if SECRET in message] == []


@pytest.fixture
def suite(tmp_path: Path, schemas: SchemaStore, profile: dict[str, Any]) -> Suite:
    """A live run's suite whose old-host URL carries credentials and whose secret appears in the run id."""
    environ = {
        "DINGTALK_TARGET": "live",
        "DINGTALK_OAPI_URL": f"https://proxy-user:{SECRET}@proxy.example.com:8443/oapi",
        "DINGTALK_APPKEY": "dingkey",
        "DINGTALK_APPSECRET": SECRET,
        "DINGTALK_PROFILE": str(PROJECT / "data" / "profiles" / "sandbox.yaml"),
    }
    settings = load_settings(PROJECT, environ=environ)
    loader = CaseLoader(schemas, profile, PROJECT)
    return Suite(settings, profile, schemas, loader, Masker([SECRET]), f"run-{SECRET}", tmp_path)


def test_the_environment_names_where_and_how_the_run_ran(suite: Suite) -> None:
    shown = environment(suite.settings, suite.run_id, suite.masker, workers=3)
    assert shown["Target"] == "live"
    assert shown["Old host (oapi)"] == "https://proxy.example.com:8443/oapi"
    assert shown["New host (api)"] == "https://api.dingtalk.com"
    assert shown["Tenant profile"] == "data/profiles/sandbox.yaml"
    assert shown["Run id"] == "run-***"
    assert shown["Workers"] == "3"
    assert shown["Python"] == platform.python_version()
    assert shown["pytest"] == pytest.__version__
    assert not [value for value in shown.values() if SECRET in value]


def test_allure_reads_back_every_name_and_value(tmp_path: Path, report_tooling: Path) -> None:
    values = {
        "Plain": "value",
        "With spaces = and: colons": " leading space, trailing ",
        "Tenant profile": r"C:\profiles\租户.yaml",
        "Hash # and bang !": "line one\nline two\ttab",
        "Emoji": "🙂 outside the BMP",
    }
    path = tmp_path / ENVIRONMENT_FILE
    path.write_text(properties_text(values), encoding="ascii")
    assert read_properties(path) == values


def test_the_controller_writes_the_environment_and_the_categories(tmp_path: Path, suite: Suite) -> None:
    results = tmp_path / "allure-results"
    write_metadata(results, environment(suite.settings, suite.run_id, suite.masker, None))
    assert json.loads((results / CATEGORIES_FILE).read_text(encoding="utf-8")) == json.loads(categories_json())
    assert "Workers=1\n" in (results / ENVIRONMENT_FILE).read_text(encoding="ascii")
    assert SECRET not in (results / ENVIRONMENT_FILE).read_text(encoding="ascii")


def session_of(results: Path, suite: Suite, **config: Any) -> Any:
    stash = pytest.Stash()
    stash[SUITE] = suite
    option = SimpleNamespace(allure_report_dir=str(results), collectonly=False, numprocesses=2)
    return SimpleNamespace(config=SimpleNamespace(option=option, stash=stash, **config))


def test_workers_write_nothing(tmp_path: Path, suite: Suite) -> None:
    report_plugin.pytest_sessionstart(session_of(tmp_path / "controller", suite))
    report_plugin.pytest_sessionstart(session_of(tmp_path / "worker", suite, workerinput={"workerid": "gw0"}))
    assert sorted(path.name for path in (tmp_path / "controller").iterdir()) == [CATEGORIES_FILE, ENVIRONMENT_FILE]
    assert not (tmp_path / "worker").exists()
