"""Contract mutants (sandbox/mutants): each breaks its documented point, and only it.

Every mutant's probe runs against a faithful in-process sandbox and against the mutant: the probe's check (the
doc's statement about the last answer) holds on the first and fails on the second. Unrelated requests answer
the same on both.
"""

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from sandbox.__main__ import build_config, main, parse_args
from sandbox.app import App
from sandbox.config import DEFAULT_APPKEY, DEFAULT_APPSECRET, SandboxConfig
from sandbox.faults import FaultSettings
from sandbox.mutants import ENV_VAR, MUTANTS, Call, Probe, access, blackboard, lookup, org, report, run_probe
from sandbox.process import SandboxProcess
from sandbox.protocol.messages import Reply
from sandbox.routes import build_routes
from sandbox.state import TenantState
from sandbox.testing import FakeClock

SPEC = Path(__file__).resolve().parents[2] / "data" / "spec" / "endpoints.yaml"
KINDS = {"auth", "envelope", "method", "required", "limit", "filter", "paging", "count", "field", "type", "state",
         "permission", "after-delete"}  # fmt: skip
VOLATILE = frozenset({"request_id", "requestid", "access_token"})
UNRELATED = (
    Call("/gettoken", query={"appkey": DEFAULT_APPKEY, "appsecret": DEFAULT_APPSECRET}, auth="none"),
    Call("/topapi/blackboard/category/list", {"operation_userid": "manager4220"}),
    Call("/topapi/blackboard/listtopten", {"userid": "626116675269872"}),
    Call("/topapi/report/template/getbyname", {"userid": "manager4220", "template_name": "日报"}),
    Call("/topapi/report/getunreadcount", {"userid": "672518765764248"}),
    Call("/topapi/smartwork/hrm/employee/queryonjob", {"status_list": "2,3", "offset": 0, "size": 20}),
    Call("/topapi/union/cooperate/joined/list", {"status": 1}),
    Call("/topapi/serviceaccount/list", {"pageStart": 2, "pageSize": 5}),
    Call("/v1.0/hrm/employees/dismissions", query={"maxResults": 5}),
    Call("/topapi/blackboard/no-such-method", {}),
)


def sandbox_app(mutant: str | None = None) -> App:
    """An in-process sandbox without sockets: `App.handle(Request)` answers a `Reply`."""
    config = SandboxConfig(clock=FakeClock(), faults=FaultSettings(qps=0), mutant=mutant)
    return App(TenantState(config), build_routes())


def comparable(reply: Reply) -> tuple[int, Any]:
    """The reply without the values that differ on every call (ids, tokens)."""
    return reply.status, {key: value for key, value in reply.body.items() if key not in VOLATILE}


@cache
def spec_endpoints() -> frozenset[str]:
    return frozenset(f"{entry['method']} {entry['path']}" for entry in yaml.safe_load(SPEC.read_text(encoding="utf-8")))


def test_at_least_sixty_mutants_with_unique_names() -> None:
    groups = (access, blackboard, report, org)
    names = [mutant.name for group in groups for mutant in group.MUTANTS]
    assert len(names) >= 60
    assert len(names) == len(set(names)) == len(MUTANTS)


@pytest.mark.parametrize("name", list(MUTANTS))
def test_mutant_is_documented(name: str) -> None:
    mutant = MUTANTS[name]
    assert mutant.endpoint in spec_endpoints(), f"{name}: {mutant.endpoint} is not in {SPEC.name}"
    assert mutant.kind in KINDS
    assert len(mutant.statement) > 20 and "shared" not in mutant.statement
    assert isinstance(mutant.probe, Probe) and mutant.probe.calls and mutant.probe.expect


def test_every_kind_has_mutants() -> None:
    assert {mutant.kind for mutant in MUTANTS.values()} == KINDS


def test_every_spec_endpoint_has_a_mutant() -> None:
    assert spec_endpoints() == {mutant.endpoint for mutant in MUTANTS.values()}


def _answer(app: App, call: Call) -> tuple[int, Any]:
    return comparable(run_probe(app, Probe((call,), check=lambda reply, saved: True, expect=""))[0])


@pytest.fixture(scope="module")
def faithful() -> App:
    """The faithful sandbox of the module's probes, each of which starts from its seeded tenant (``reset``)."""
    return sandbox_app()


@pytest.fixture(scope="module")
def faithful_answers(faithful: App) -> tuple[tuple[int, Any], ...]:
    """The faithful sandbox's answers to the unrelated requests (reads: the same whatever was asked before)."""
    faithful.state.reset()
    return tuple(_answer(faithful, call) for call in UNRELATED)


@pytest.mark.parametrize("name", list(MUTANTS))
def test_mutant_breaks_its_point_and_leaves_other_endpoints_alone(
    name: str, faithful: App, faithful_answers: tuple[tuple[int, Any], ...]
) -> None:
    mutant = MUTANTS[name]
    faithful.state.reset()
    answer, saved = run_probe(faithful, mutant.probe)
    assert mutant.probe.check(answer, saved), f"the faithful sandbox fails {name}'s probe: {answer}"

    mutated = sandbox_app(name)
    compared = 0
    for call, faithful_answer in zip(UNRELATED, faithful_answers, strict=True):
        if call.path == mutant.path:
            continue
        assert faithful_answer == _answer(mutated, call), f"{name} changes the answer of {call.path}"
        compared += 1
    assert compared >= len(UNRELATED) - 1
    answer, saved = run_probe(mutated, mutant.probe)  # on the seeded tenant still: the calls above only read
    assert not mutant.probe.check(answer, saved), (
        f"{name} answers its probe as the docs say ({mutant.probe.expect}): {answer}"
    )


def test_list_mutants_prints_each_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list-mutants"], environ={}) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(MUTANTS)
    for line, mutant in zip(lines, MUTANTS.values(), strict=True):
        assert line.startswith(f"{mutant.name} ")
        assert mutant.kind in line and mutant.endpoint in line and mutant.statement in line


@pytest.mark.parametrize(
    ("argv", "environ"),
    [(["--mutant", "blackboard-create-stores-nothin"], {}), ([], {ENV_VAR: "blackboard-create-stores-nothin"})],
)
def test_unknown_mutant_is_one_line_and_exit_2(
    argv: list[str], environ: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--port", "0", *argv], environ=environ) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "unknown mutant 'blackboard-create-stores-nothin'" in err
    assert "did you mean blackboard-create-stores-nothing" in err


def test_mutant_flag_wins_over_the_environment() -> None:
    args = parse_args(["--mutant", "topapi-get-accepted"])
    assert build_config(args, {ENV_VAR: "union-status-ignored"}).mutant == "topapi-get-accepted"
    assert build_config(parse_args([]), {ENV_VAR: "union-status-ignored"}).mutant == "union-status-ignored"
    assert build_config(parse_args([]), {}).mutant is None


def test_lookup_suggests_close_names() -> None:
    with pytest.raises(ValueError, match="did you mean topapi-get-accepted"):
        lookup("topapi-get-acepted")


def test_sandbox_process_runs_a_mutant() -> None:
    """`SandboxProcess(mutant=...)` (and so the suite's own sandbox with DINGTALK_SANDBOX_MUTANT) runs it."""
    with SandboxProcess(mutant="topapi-get-accepted") as process:
        login = {"appkey": DEFAULT_APPKEY, "appsecret": DEFAULT_APPSECRET}
        token = requests.get(f"{process.url}/gettoken", params=login, timeout=5).json()["access_token"]
        answer = requests.get(
            f"{process.url}/topapi/blackboard/category/list",
            params={"access_token": token, "operation_userid": "manager4220"},
            timeout=5,
        ).json()
    assert answer["errcode"] == 0 and answer["result"]
