"""common.live.rules: the rules of data/live/safety.yaml hold for every shipped case, and a case that breaks
one gets one line naming its file, line, case and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from common.cases.loader import CaseLoader
from common.cases.model import Case
from common.cases.profile import load_profile
from common.cases.schemas import SchemaStore
from common.cases.templating import Context
from common.core.errors import ConfigError
from common.live.rules import LiveGuard, load_guard
from tests.framework.fakes import PROJECT, LoadText

RULES = PROJECT / "data" / "live" / "safety.yaml"
PROFILES = ("data/profiles/sandbox.yaml", "data/profiles/live.example.yaml")
A_RUNS_UID = "20240601093000-1a2b-3c4d5e"
"""A ${uid} as a run makes it: the run id (``%Y%m%d%H%M%S`` and 4 hex digits), a dash and 6 hex digits."""


@pytest.fixture
def guard(tmp_path: Path, profile: dict[str, Any]) -> LiveGuard:
    """The shipped rules, reading case files from ``tmp_path`` (where ``load_text`` writes them)."""
    return load_guard(RULES, "data/live/safety.yaml", profile, tmp_path)


def _case(load_text: LoadText, yaml_text: str) -> Case:
    (case,) = load_text("epic: e\nfeature: f\ncases:\n" + yaml_text)
    assert isinstance(case, Case), case
    return case


def _create(fields: str, wrapper: str = "create_request") -> str:
    """A blackboard create case; ``fields`` are extra lines of its request object."""
    return f"""  - id: c
    title: t
    writes: true
    request:
      path: /topapi/blackboard/create
      json:
        {wrapper}:
          operation_userid: ${{profile.admin_userid}}
          title: apitest ${{uid}}
          content: x
{fields}"""


SAFE_RECEIVERS = "          blackboard_receiver: {userid_list: '${profile.test_userids}'}\n"
SAFE_FLAGS = "          ding: false\n          push_top: false\n"


@pytest.mark.parametrize("profile_file", PROFILES)
def test_every_shipped_case_keeps_the_live_rules(profile_file: str) -> None:
    profile = load_profile(PROJECT / profile_file, profile_file)
    loader = CaseLoader(SchemaStore(PROJECT / "schemas"), profile, PROJECT)
    guard = load_guard(RULES, "data/live/safety.yaml", profile, PROJECT)
    cases = [case for path in sorted((PROJECT / "data").glob("*.yaml")) for case in loader.load(path)]
    writing = [case for case in cases if isinstance(case, Case) and case.writes and case.sandbox_only is None]
    assert len(writing) >= 20
    assert [problem for case in writing if (problem := guard.problem(case))] == []


@pytest.mark.parametrize(
    ("fields", "line", "field", "problem"),
    [
        pytest.param(
            "          ding: false\n" + SAFE_RECEIVERS,
            10,
            "push_top",
            "missing: write push_top: false (a rule for live tenants in data/live/safety.yaml: not pinned to the "
            "top (documented default: true))",
            id="a-default-is-not-relied-on",
        ),
        pytest.param(
            "          ding: false\n          push_top: true\n" + SAFE_RECEIVERS,
            15,
            "push_top",
            "must be false, not true",
            id="pinned",
        ),
        pytest.param(
            "          ding: 0\n          push_top: false\n" + SAFE_RECEIVERS,
            14,
            "ding",
            "must be false, not 0",
            id="a-number-is-not-false",
        ),
        pytest.param(
            SAFE_FLAGS + "          blackboard_receiver: {deptid_list: [1]}\n",
            16,
            "blackboard_receiver.deptid_list",
            "must not be sent",
            id="a-department",
        ),
        pytest.param(
            SAFE_FLAGS + "          blackboard_receiver: {userid_list: ['${profile.report_userid}']}\n",
            16,
            "blackboard_receiver.userid_list",
            "holds '672518765764248', which is not among profile.test_userids",
            id="a-user-who-is-not-a-test-user",
        ),
    ],
)
def test_a_create_that_would_disturb_someone_gets_one_line(
    load_text: LoadText, guard: LiveGuard, fields: str, line: int, field: str, problem: str
) -> None:
    case = _case(load_text, _create(fields))
    message = guard.problem(case)
    assert message is not None
    assert message.startswith(f"cases.yaml:{line} case 'c' request.json.create_request.{field}: {problem}")
    assert "\n" not in message


def test_a_receiver_list_saved_at_run_time_cannot_be_checked(load_text: LoadText, guard: LiveGuard) -> None:
    case = _case(
        load_text,
        """  - id: saved
    title: t
    writes: true
    steps:
      - request: {path: /topapi/blackboard/category/list, json: {operation_userid: a}}
        save: {people: result}
      - request:
          path: /topapi/blackboard/create
          json:
            create_request: {ding: false, push_top: false, blackboard_receiver: {userid_list: "${people}"}}
""",
    )
    assert guard.problem(case) == (
        "cases.yaml:13 case 'saved' steps[1].request.json.create_request.blackboard_receiver.userid_list: must be "
        "made of profile.test_userids: a value saved at run time cannot be checked before the run (a rule for live "
        "tenants in data/live/safety.yaml: announcements go to the profile's test users only)"
    )


def test_teardown_steps_and_updates_are_checked_too(load_text: LoadText, guard: LiveGuard) -> None:
    case = _case(
        load_text,
        """  - id: td
    title: t
    writes: true
    steps:
      - request: {path: /topapi/blackboard/category/list, json: {operation_userid: a}}
    teardown:
      - request:
          path: /topapi/blackboard/update
          json: {update_request: {blackboard_id: x, title: t, content: c, ding: false}}
""",
    )
    message = guard.problem(case)
    assert message is not None
    assert message.startswith("cases.yaml:12 case 'td' teardown[0].request.json.update_request.notify: missing: ")


@pytest.mark.parametrize(
    "yaml_text",
    [
        pytest.param(_create(SAFE_FLAGS + SAFE_RECEIVERS), id="safe"),
        pytest.param(
            _create(SAFE_FLAGS + "          blackboard_receiver: {deptid_list: [" + ", ".join(["1"] * 21) + "]}\n"),
            id="21-departments-are-refused-before-anything-happens",
        ),
        pytest.param(_create(SAFE_RECEIVERS, wrapper="not_create_request"), id="no-request-object-is-refused"),
        pytest.param(
            _create(SAFE_FLAGS + "          blackboard_receiver: {userid_list: ['626116675269872']}\n"),
            id="a-test-user-written-out",
        ),
        pytest.param(
            """  - id: r
    title: t
    writes: true
    request:
      path: /topapi/report/create
      json:
        create_report_param:
          userid: u
          to_userids: "${profile.report_receiver_userids}"
          contents: [{content: "apitest ${uid} a report"}]
""",
            id="a-report-without-to_chat-is-refused",
        ),
    ],
)
def test_what_disturbs_nobody_passes(load_text: LoadText, guard: LiveGuard, yaml_text: str) -> None:
    assert guard.problem(_case(load_text, yaml_text)) is None


@pytest.mark.parametrize(
    ("json_text", "field", "problem"),
    [
        ("{to_chat: true, to_userids: []}", "to_chat", "must be false, not true"),
        ("{to_chat: false, to_cids: [c1]}", "to_cids", "must not be sent"),
        ("{to_chat: false, to_userids: ['${profile.test_userids[0]}']}", "to_userids", "holds '626116675269872'"),
    ],
)
def test_a_report_goes_to_its_receivers_only_and_never_to_a_chat(
    load_text: LoadText, guard: LiveGuard, json_text: str, field: str, problem: str
) -> None:
    case = _case(
        load_text,
        f"""  - id: r
    title: t
    writes: true
    request:
      path: /topapi/report/create
      json: {{create_report_param: {json_text}}}
""",
    )
    message = guard.problem(case)
    assert message is not None
    assert message.startswith(f"cases.yaml:9 case 'r' request.json.create_report_param.{field}: {problem}")


@pytest.mark.parametrize(
    ("rules", "error"),
    [
        ("endpoints: {}\n", "rules.yaml:1 endpoints: must be an array, got {}"),
        (
            "endpoints:\n  - {path: /x, fields: {a: {absent: true}}}\n",
            "rules.yaml:2 endpoints[0]: missing required key 'object'",
        ),
        (
            "endpoints:\n  - {path: /x, object: o, fields: {a: {equals: 1, absent: true}}}\n",
            "rules.yaml:2 endpoints[0].fields.a: give exactly one of equals, absent, within",
        ),
        (
            "endpoints:\n  - {path: /x, object: o, fields: {a: {within: test_userids}}}\n",
            "rules.yaml:2 endpoints[0].fields.a.within: must be an array, got 'test_userids'",
        ),
        (
            "endpoints:\n  - {path: /x, object: o, fields: {a: {absent: false}}}\n",
            "rules.yaml:2 endpoints[0].fields.a.absent: must be true, got False",
        ),
        (
            "endpoints:\n  - {path: /x, object: o}\n",
            "rules.yaml:2 endpoints[0]: give at least one of fields, traced_in",
        ),
        (
            "endpoints:\n  - {path: /x, object: o, traced_in: [title, 'a..b']}\n",
            "rules.yaml:2 endpoints[0].traced_in[1]: ",
        ),
        ("endpoints: [\n", "rules.yaml:2: not valid YAML: "),
    ],
)
def test_a_malformed_rules_file_says_its_mistake_in_one_line(tmp_path: Path, rules: str, error: str) -> None:
    (tmp_path / "rules.yaml").write_text(rules, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_guard(tmp_path / "rules.yaml", "rules.yaml", {}, tmp_path)
    lines = str(caught.value).splitlines()
    assert [line for line in lines if line.startswith(error)], lines
    assert all(line.startswith("rules.yaml") for line in lines)


@pytest.mark.parametrize(
    ("case_id", "length"), [("create-content-1000-chars", 1000), ("create-content-1001-chars", 1001)]
)
def test_the_report_length_cases_carry_the_run_id_and_stay_at_their_limit(
    schemas: SchemaStore, profile: dict[str, Any], case_id: str, length: int
) -> None:
    loaded = CaseLoader(schemas, profile, PROJECT).load(PROJECT / "data" / "report.yaml")
    (case,) = [case for case in loaded if isinstance(case, Case) and case.id == case_id]
    body = case.steps[0].request.json.render(Context({"uid": A_RUNS_UID, "profile": profile}))
    content = body["create_report_param"]["contents"][0]["content"]
    assert len(content) == length
    assert content.startswith(f"apitest {A_RUNS_UID} ")


# ── nothing a run creates is untraceable ───────────────────────────────────────────────────────────────


def _untraced(title: str, content: str) -> str:
    return f"""  - id: c
    title: t
    request:
      path: /topapi/blackboard/create
      json:
        create_request:
          operation_userid: ${{profile.admin_userid}}
          title: {title}
          content: {content}
{SAFE_FLAGS + SAFE_RECEIVERS}    expect: {{errcode: {{ne: 0}}}}
"""


@pytest.mark.parametrize(
    ("title", "content", "traced"),
    [
        ("apitest ${uid}", "x", True),
        ("123", "apitest ${uid} a number title cannot carry the run id", True),  # the sweep reads the content then
        ("a title", "a content", False),  # a negative case too: the server may accept what the case expects refused
        ("apitest ${run_id}", "x", False),  # the run id alone does not make the label the sweep matches
    ],
)
def test_a_create_carries_the_run_id_in_a_field_the_sweep_reads(
    load_text: LoadText, guard: LiveGuard, title: str, content: str, traced: bool
) -> None:
    message = guard.problem(_case(load_text, _untraced(title, content)))
    if traced:
        assert message is None
    else:
        assert message is not None
        assert message.startswith("cases.yaml:11 case 'c' request.json.create_request.title: carries no run id: ")
        assert "put 'apitest ${uid}' in title or content" in message


def test_a_robot_message_carries_the_run_id(load_text: LoadText, guard: LiveGuard) -> None:
    text = """  - id: r
    title: t
    request:
      path: /robot/send
      auth: robot
      json: {msgtype: text, text: {content: "TEXT"}}
"""
    assert guard.problem(_case(load_text, text.replace("TEXT", "apitest ${uid} hello"))) is None
    message = guard.problem(_case(load_text, text.replace("TEXT", "hello")))
    assert message is not None
    assert "request.json.text.content: carries no run id" in message


def test_a_creating_endpoint_without_a_traced_in_rule_is_refused_at_start_up(tmp_path: Path) -> None:
    rules = RULES.read_text(encoding="utf-8").replace("    traced_in: [title, content]", "")
    (tmp_path / "rules.yaml").write_text(rules, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_guard(tmp_path / "rules.yaml", "rules.yaml", {}, tmp_path)
    assert str(caught.value).startswith(
        "rules.yaml: /topapi/blackboard/create (oapi) creates something (data/spec/endpoints.yaml) but has no rule "
        "with traced_in"
    )
