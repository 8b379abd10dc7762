"""common.cases.loader: YAML case files become typed ``Case`` objects, or ``InvalidCase`` errors of one line
per mistake.

The bad-input corpus is tests/bad_cases/: each file starts with one ``# error: <the exact message>`` line per
mistake it holds, in the order of the file's items and, within one, of its lines.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import takewhile
from pathlib import Path
from typing import Any

import pytest
import yaml

from common.cases.loader import CaseLoader
from common.cases.model import Auth, Case, InvalidCase
from common.cases.schemas import SchemaStore
from common.cases.templating import Context
from common.http.masking import Masker
from common.report.allure import AllureReporter
from common.run.runner import CaseRunner
from tests.framework.fakes import PROJECT, FakeClock, LoadText, ScriptedClient, ok

BAD_CASES = PROJECT / "tests" / "bad_cases"
ERROR_PREFIX = "# error: "


def _corpus() -> list[Any]:
    return [pytest.param(path, id=path.stem) for path in sorted(BAD_CASES.glob("*.yaml"))]


@pytest.fixture(scope="module")
def corpus_loader(schemas: SchemaStore, profile: dict[str, Any]) -> CaseLoader:
    return CaseLoader(schemas, profile, project_root=PROJECT)


def _invalid(loaded: list[Case | InvalidCase]) -> list[str]:
    return [item.message for item in loaded if isinstance(item, InvalidCase)]


def _error_lines(loaded: list[Case | InvalidCase]) -> list[str]:
    """Every mistake reported, one per line, item after item."""
    return [line for message in _invalid(loaded) for line in message.splitlines()]


def _expected_errors(path: Path) -> list[str]:
    lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()  # one corpus file is GBK
    return [line.removeprefix(ERROR_PREFIX) for line in takewhile(lambda line: line.startswith(ERROR_PREFIX), lines)]


def test_the_corpus_is_large_enough() -> None:
    assert len(_corpus()) >= 25


@pytest.mark.parametrize("path", _corpus())
def test_a_bad_case_file_gives_its_errors(corpus_loader: CaseLoader, path: Path) -> None:
    expected = _expected_errors(path)
    assert expected, f"{path.name} must start with '{ERROR_PREFIX}<message>' lines"
    assert _error_lines(corpus_loader.load(path)) == expected


@pytest.mark.parametrize("path", sorted(BAD_CASES.glob("*.yaml")), ids=lambda path: path.stem)
def test_every_error_line_names_the_file(corpus_loader: CaseLoader, path: Path) -> None:
    lines = _error_lines(corpus_loader.load(path))
    assert lines
    for line in lines:
        assert line.startswith(f"tests/bad_cases/{path.name}:")


def test_one_bad_case_does_not_hide_the_good_ones(corpus_loader: CaseLoader) -> None:
    loaded = corpus_loader.load(BAD_CASES / "mixed-good-and-bad.yaml")
    assert [type(item) for item in loaded] == [Case, InvalidCase, Case]
    assert [item.test_id for item in loaded] == ["mixed-good-and-bad:a", "mixed-good-and-bad:b", "mixed-good-and-bad:c"]


def test_a_duplicate_id_keeps_the_first_case(corpus_loader: CaseLoader) -> None:
    first, second = corpus_loader.load(BAD_CASES / "duplicate-id.yaml")
    assert isinstance(first, Case)
    assert first.title == "t"
    assert isinstance(second, InvalidCase)


def test_a_file_level_error_is_one_invalid_entry(corpus_loader: CaseLoader) -> None:
    loaded = corpus_loader.load(BAD_CASES / "missing-epic.yaml")
    assert [(type(item), item.test_id) for item in loaded] == [(InvalidCase, "missing-epic:<file>")]


def test_an_unreadable_file(corpus_loader: CaseLoader, tmp_path: Path) -> None:
    (loaded,) = corpus_loader.load(tmp_path / "gone.yaml")
    assert isinstance(loaded, InvalidCase)
    assert loaded.test_id == "gone:<file>"
    assert "cannot read" in loaded.message


@pytest.mark.parametrize("name", sorted(path.name for path in (PROJECT / "data").glob("*.yaml")))
def test_the_real_case_files_load_without_errors(corpus_loader: CaseLoader, name: str) -> None:
    loaded = corpus_loader.load(PROJECT / "data" / name)
    assert loaded
    assert _invalid(loaded) == []


# ── what a valid case becomes ───────────────────────────────────────────────────────────────────────
HEAD = "epic: 公告 Blackboard\nfeature: blackboard\ncases:\n"


def one_request(request: str, more: str = "") -> str:
    """A file holding case ``c`` with one request (``request`` is the flow mapping's inside)."""
    return f"{HEAD}  - id: c\n    title: T\n    request: {{{request}}}\n{more}"


def test_the_one_request_form_is_one_step(load_case: Callable[[str], Case]) -> None:
    case = load_case(
        one_request("path: /topapi/blackboard/get, json: {blackboard_id: x}", "    save: {t: result.title}\n")
    )
    assert (case.id, case.title, case.epic, case.feature) == ("c", "T", "公告 Blackboard", "blackboard")
    assert case.test_id == "cases:c"
    assert (str(case.source), case.source.line) == ("cases.yaml:4", 4)
    (step,) = case.steps
    assert step.name == "POST /topapi/blackboard/get"
    assert step.request.json is not None
    assert step.request.json.source == {"blackboard_id": "x"}
    assert [(save.name, save.parts) for save in step.saves] == [("t", ("result", "title"))]
    assert case.teardown == ()


def test_defaults(load_case: Callable[[str], Case]) -> None:
    case = load_case(one_request("path: /topapi/blackboard/get, json: {}"))
    (step,) = case.steps
    request, expect = step.request, step.expect
    assert (request.api, request.method, request.auth) == ("oapi", "POST", Auth.TOKEN)
    assert (request.query, request.headers) == (None, None)
    assert (expect.status, expect.schema, expect.body, expect.code) == (200, None, (), ())
    assert [(check.path, check.comparator, check.expected.source) for check in expect.errcode] == [("errcode", "eq", 0)]
    assert (case.story, case.severity, case.tags, case.writes) == ("/topapi/blackboard/get", "normal", (), False)


# YAML bodies that look alike but are not the same value: no two may share a compiled template
LOOK_ALIKE_BODIES = [
    "{a: 1}",
    "{a: true}",
    "{a: '1'}",
    "{a: 1.0}",
    "{a: 0.0}",
    "{a: -0.0}",
    "{a: null}",
    "{1: x}",
    "{true: x}",
    "{a: [1]}",
    "{a: [true]}",
    "{a: {b: 1}}",
    "{a: 1, b: 2}",
    "{b: 2, a: 1}",
    "{a: '${uid}'}",
    "{a: '${uid}x'}",
]


def test_each_body_renders_as_its_own_yaml_however_alike_the_others(load_text: LoadText) -> None:
    cases = "".join(
        f"  - id: c{index}\n    title: T\n    request: {{path: /topapi/blackboard/get, json: {body}}}\n"
        for index, body in enumerate([*LOOK_ALIKE_BODIES, *LOOK_ALIKE_BODIES])  # each body twice
    )
    loaded = load_text(HEAD + cases)
    context = Context({"uid": "u"})
    rendered = []
    for case in loaded:
        assert isinstance(case, Case), case
        json_body = case.steps[0].request.json
        assert json_body is not None
        rendered.append(json_body.render(context))
    expected = [yaml.safe_load(body) for body in LOOK_ALIKE_BODIES]
    expected = [{a: (b.replace("${uid}", "u") if isinstance(b, str) else b) for a, b in e.items()} for e in expected]
    for got, want in zip(rendered, expected * 2, strict=True):
        assert (json.dumps(got), repr(got)) == (json.dumps(want), repr(want))  # 1 and True, 0.0 and -0.0 apart


def test_get_without_a_body(load_case: Callable[[str], Case]) -> None:
    assert load_case(one_request("path: /topapi/blackboard/get")).steps[0].request.method == "GET"


def test_the_new_host_expects_no_errcode(load_case: Callable[[str], Case]) -> None:
    (step,) = load_case(one_request("api: api, path: /v1.0/hrm/employees/dismissions")).steps
    assert (step.request.api, step.request.method, step.expect.errcode) == ("api", "GET", ())


def test_written_values_replace_the_defaults(load_case: Callable[[str], Case]) -> None:
    text = (
        f"{HEAD}  - id: c\n    title: T\n    story: my story\n    severity: blocker\n    tags: [smoke, bb]\n"
        "    sandbox_only: the docs say nothing\n"
        "    request:\n      api: api\n      method: DELETE\n      path: /v1.0/x\n"
        "      auth: invalid\n      headers: {x-a: b}\n      query: {q: 1}\n"
        "    expect:\n      status: 400\n      code: InvalidAuthentication\n      schema: api/error\n"
    )
    case = load_case(text)
    request, expect = case.steps[0].request, case.steps[0].expect
    assert (case.story, case.severity, case.tags) == ("my story", "blocker", ("smoke", "bb"))
    assert case.sandbox_only == "the docs say nothing"
    assert (request.api, request.method, request.path, request.auth) == ("api", "DELETE", "/v1.0/x", Auth.INVALID)
    assert (expect.status, expect.schema) == (400, "api/error")
    assert [(check.path, check.expected.source) for check in expect.code] == [("code", "InvalidAuthentication")]


@pytest.mark.parametrize(
    ("errcode", "checks"),
    [
        ("any", []),
        ("40035", [("eq", 40035)]),
        ("{ne: 0}", [("ne", 0)]),
        ("{in: [40035, 40096]}", [("in", [40035, 40096])]),
    ],
)
def test_errcode_forms(load_case: Callable[[str], Case], errcode: str, checks: list[tuple[str, Any]]) -> None:
    case = load_case(one_request("path: /gettoken, auth: none", f"    expect:\n      errcode: {errcode}\n"))
    assert [(check.comparator, check.expected.source) for check in case.steps[0].expect.errcode] == checks


def test_an_expected_error_needs_no_success_schema(load_case: Callable[[str], Case]) -> None:
    case = load_case(one_request("path: /topapi/no-such-method, json: {}", "    expect: {errcode: 22}\n"))
    assert case.steps[0].request.path == "/topapi/no-such-method"


def test_body_checks_keep_their_comparators(load_case: Callable[[str], Case]) -> None:
    more = "    expect:\n      body:\n        result: {len_ge: 1, unique: true}\n        result[0]: abc\n"
    (step,) = load_case(one_request("path: /topapi/blackboard/listids, json: {}", more)).steps
    found = [(check.path, check.parts, check.comparator, check.expected.source) for check in step.expect.body]
    assert found == [
        ("result", ("result",), "len_ge", 1),
        ("result", ("result",), "unique", True),
        ("result[0]", ("result", 0), "eq", "abc"),
    ]
    assert step.expect.body[2].source.line == 10


FLOW = f"""{HEAD}  - id: flow
    title: T
    steps:
      - request: {{path: /topapi/blackboard/listids, json: {{}}}}
        save: {{ids: result}}
      - name: find it
        for_each: ${{ids}}
        request: {{path: /topapi/blackboard/get, json: {{blackboard_id: "${{item}}"}}}}
        until: {{result.title: "apitest ${{uid}}"}}
        save: {{bb_id: result.id}}
    teardown:
      - name: delete it
        request: {{path: /topapi/blackboard/delete, json: {{blackboard_id: "${{bb_id}}", by: "${{appkey}}"}}}}
        expect: {{errcode: any}}
      - name: list again
        request: {{path: /topapi/blackboard/listids, json: {{not: "${{ids}}", run: "${{run_id}}"}}}}
      - name: touches nothing saved
        request: {{path: /topapi/blackboard/listids, json: {{at: "${{uid}}"}}}}
"""


def test_steps_for_each_and_teardown(load_case: Callable[[str], Case]) -> None:
    case = load_case(FLOW)
    first, loop = case.steps
    assert (first.name, loop.name) == ("POST /topapi/blackboard/listids", "find it")
    assert loop.for_each is not None
    assert loop.for_each.variables == {"ids"}
    assert [(check.path, check.comparator, check.expected.source) for check in loop.until] == [
        ("result.title", "eq", "apitest ${uid}")
    ]
    assert [step.source.line for step in (*case.steps, *case.teardown)] == [7, 9, 15, 18, 20]
    assert case.story == "/topapi/blackboard/listids"


def test_teardown_needs_are_the_saved_variables_it_uses(load_case: Callable[[str], Case]) -> None:
    case = load_case(FLOW)
    assert [step.needs for step in case.steps] == [frozenset(), frozenset()]
    assert [step.needs for step in case.teardown] == [{"bb_id"}, {"ids"}, frozenset()]


def test_item_is_only_known_inside_for_each(load_text: LoadText) -> None:
    text = FLOW.replace('json: {{not: "${{ids}}"'.replace("{{", "{").replace("}}", "}"), 'json: {not: "${item}"')
    (invalid,) = load_text(text)
    assert isinstance(invalid, InvalidCase)
    assert "undefined variable ${item}" in invalid.message
    assert invalid.message.startswith("cases.yaml:19 case 'flow' teardown[1].request.json.not: ")


def test_a_step_cannot_use_what_it_saves_itself(load_text: LoadText) -> None:
    text = one_request(
        'path: /topapi/blackboard/get, json: {blackboard_id: "${bb_id}"}', "    save: {bb_id: result.id}\n"
    )
    (invalid,) = load_text(text)
    assert isinstance(invalid, InvalidCase)
    assert "undefined variable ${bb_id}" in invalid.message


def test_a_regex_that_does_not_compile_is_refused(load_text: LoadText) -> None:
    more = "    expect:\n      body:\n        result.title: {regex: '(unclosed'}\n"
    (loaded,) = load_text(one_request("path: /topapi/blackboard/get, json: {}", more))
    assert isinstance(loaded, InvalidCase)
    assert loaded.message.startswith("cases.yaml:9 case 'c' expect.body.result.title.regex: ")


# ── what the endpoint spec and the tenant profile decide ───────────────────────────────────────────────

CREATE = "path: /topapi/blackboard/create, json: {create_request: {title: 'apitest ${uid}'}}"


@pytest.mark.parametrize(
    ("steps", "writes"),
    [
        (f"    request: {{{CREATE}}}\n    expect: {{errcode: {{ne: 0}}}}\n", True),  # a negative create still writes
        ("    request: {path: /topapi/blackboard/get, json: {}}\n", False),
        (
            "    steps:\n      - request: {path: /topapi/blackboard/get, json: {}}\n        save: {x: result.id}\n"
            "    teardown:\n      - request: {path: /topapi/blackboard/delete, json: {blackboard_id: '${x}'}}\n",
            True,  # a teardown delete writes too
        ),
        ("    request: {path: /robot/send, auth: robot, json: {msgtype: text}}\n", True),
    ],
)
def test_writes_is_derived_from_the_endpoint_spec(load_case: Callable[[str], Case], steps: str, writes: bool) -> None:
    case = load_case(f"{HEAD}  - id: c\n    title: T\n{steps}")
    assert case.writes is writes


def test_a_writing_request_carries_what_the_spec_says_it_writes(load_case: Callable[[str], Case]) -> None:
    request = load_case(one_request(CREATE)).steps[0].request
    assert (request.writes, request.object, request.creates) == ("create", "announcement", True)


def test_a_count_the_profile_does_not_pin_skips_the_case(
    schemas: SchemaStore, profile: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "cases.yaml"
    expect = "    expect:\n      body:\n        result: {len: '${profile.counts.blackboards}'}\n"
    path.write_text(one_request("path: /topapi/blackboard/listids, json: {}", expect), encoding="utf-8")
    unpinned = {key: value for key, value in profile.items() if key != "counts"}
    pinned_case = CaseLoader(schemas, profile, tmp_path).load(path)[0]
    living_case = CaseLoader(schemas, unpinned, tmp_path).load(path)[0]
    assert isinstance(pinned_case, Case) and isinstance(living_case, Case)
    assert (pinned_case.unpinned, pinned_case.skip_reason) == ((), None)
    assert living_case.unpinned == ("blackboards",)
    assert living_case.skip_reason is not None and "does not pin counts.blackboards" in living_case.skip_reason


def test_a_misspelt_count_is_an_error_even_where_counts_are_not_pinned(
    schemas: SchemaStore, profile: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "cases.yaml"
    expect = "    expect:\n      body:\n        result: {len: '${profile.counts.blackbords}'}\n"
    path.write_text(one_request("path: /topapi/blackboard/listids, json: {}", expect), encoding="utf-8")
    [loaded] = CaseLoader(schemas, {"admin_userid": "x"}, tmp_path).load(path)
    assert isinstance(loaded, InvalidCase)
    assert "the tenant profile has no key 'counts'" in loaded.message


def test_when_becomes_checks_over_saved_variables(load_case: Callable[[str], Case]) -> None:
    case = load_case(
        f"{HEAD}  - id: c\n    title: T\n    steps:\n      - request: {{{CREATE}}}\n        expect: {{errcode: any}}\n"
        "        save: {created: errcode}\n      - request: {path: /topapi/blackboard/get, json: {}}\n"
        "        when: {created: 0}\n"
    )
    [check] = case.steps[1].when
    assert (check.parts, check.comparator, check.expected.source) == (("created",), "eq", 0)


# ── parametrize: one case per row ───────────────────────────────────────────────────────────────────

TABLE = f"""{HEAD}  - id: sizes
    title: T
    parametrize:
      - {{id: smallest, size: 1, who: x}}
      - {{size: 50, who: [a, b]}}
      - {{id: admin, size: 2, who: "${{profile.admin_userid}}"}}
    request:
      path: /topapi/blackboard/listids
      json: {{query_request: {{page: 1, page_size: "${{size}}"}}, who: "${{who}}"}}
    expect:
      body:
        result: {{len_le: "${{size}}"}}
"""


def test_a_table_is_one_case_per_row_named_by_its_id_or_index(load_text: LoadText) -> None:
    loaded = load_text(TABLE)
    assert all(isinstance(case, Case) for case in loaded), loaded
    cases = [case for case in loaded if isinstance(case, Case)]
    assert [case.test_id for case in cases] == ["cases:sizes[smallest]", "cases:sizes[1]", "cases:sizes[admin]"]
    assert [case.params for case in cases] == [
        {"size": 1, "who": "x"},
        {"size": 50, "who": ["a", "b"]},
        {"size": 2, "who": "${profile.admin_userid}"},
    ]
    assert {case.id for case in cases} == {"sizes"}
    assert cases[0].row == "smallest" and cases[1].row == "1"


def test_a_rows_values_reach_the_steps_its_placeholders_rendered(
    load_text: LoadText, schemas: SchemaStore, profile: dict[str, Any]
) -> None:
    cases = [case for case in load_text(TABLE) if isinstance(case, Case)]
    context = Context({"profile": profile, "uid": "u"})
    assert [case.variables(context) for case in cases] == [
        {"size": 1, "who": "x"},
        {"size": 50, "who": ["a", "b"]},
        {"size": 2, "who": profile["admin_userid"]},
    ]


def test_the_runner_sends_each_rows_values(load_text: LoadText, schemas: SchemaStore) -> None:
    sent = []
    builtins = {"run_id": "r", "profile": {"admin_userid": "manager1"}, "appkey": "k"}
    for case in load_text(TABLE):
        assert isinstance(case, Case)
        client = ScriptedClient([ok(result=[])])
        CaseRunner(client, schemas, AllureReporter(Masker()), Masker(), builtins, FakeClock()).run(case, uid="u")
        sent += [request.json for request in client.sent]
    assert sent == [
        {"query_request": {"page": 1, "page_size": 1}, "who": "x"},
        {"query_request": {"page": 1, "page_size": 50}, "who": ["a", "b"]},
        {"query_request": {"page": 1, "page_size": 2}, "who": "manager1"},
    ]


def test_a_bad_row_fails_alone(load_text: LoadText) -> None:
    text = TABLE.replace("{size: 50, who: [a, b]}", "{size: many, who: [a, b]}")
    loaded = load_text(text)
    assert [(type(item), item.test_id) for item in loaded] == [
        (Case, "cases:sizes[smallest]"),
        (InvalidCase, "cases:sizes[1]"),
        (Case, "cases:sizes[admin]"),
    ]
    bad = loaded[1]
    assert isinstance(bad, InvalidCase)
    assert bad.message == (
        "cases.yaml:8 case 'sizes' parametrize[1].size: len_le needs a whole number, got 'many', "
        "for result: {len_le: ${size}} on line 15"
    )


def test_the_names_of_a_table_are_variables_nowhere_else(load_text: LoadText) -> None:
    text = FLOW.replace('"${{uid}}"'.replace("{{", "{").replace("}}", "}"), '"${size}"')
    (invalid,) = load_text(text)
    assert isinstance(invalid, InvalidCase)
    assert "undefined variable ${size}" in invalid.message


def test_a_case_without_a_table_has_no_row(load_case: Callable[[str], Case]) -> None:
    case = load_case(one_request("path: /topapi/blackboard/get, json: {}"))
    assert (case.params, case.row, case.test_id) == ({}, None, "cases:c")


# ── every mistake at once ───────────────────────────────────────────────────────────────────────────


def test_a_case_reports_each_mistake_on_its_own_line(load_text: LoadText) -> None:
    text = one_request(
        'path: /topapi/blackboard/get, json: {a: "${nope}", b: "${profile.admin_user}"}',
        "    severty: high\n    expect: {status: '200', schema: nope/none}\n",
    )
    (invalid,) = load_text(text)
    assert isinstance(invalid, InvalidCase)
    assert invalid.message.splitlines() == [
        "cases.yaml:6 case 'c' request.json.a: undefined variable ${nope} "
        "(defined here: appkey, run_id, uid, profile.*)",
        "cases.yaml:6 case 'c' request.json.b: the tenant profile has no key 'admin_user'; "
        "did you mean profile.admin_userid?",
        "cases.yaml:7 case 'c' severty: unknown key 'severty': did you mean 'severity'?",
        "cases.yaml:8 case 'c' expect.status: must be an integer, got '200'",
        "cases.yaml:8 case 'c' expect.schema: unknown schema 'nope/none' (no schemas/nope/none.json)",
    ]


def test_a_misspelt_request_is_not_also_a_missing_one(load_text: LoadText) -> None:
    (invalid,) = load_text(f"{HEAD}  - id: c\n    title: T\n    requst: {{path: /topapi/blackboard/get}}\n")
    assert isinstance(invalid, InvalidCase)
    assert invalid.message == "cases.yaml:6 case 'c' requst: unknown key 'requst': did you mean 'request'?"


def test_the_files_own_mistakes_come_together(load_text: LoadText) -> None:
    loaded = load_text("feature: ''\nowner: x\ncases:\n  - id: c\n    title: T\n    request: {path: /gettoken}\n")
    assert [(type(item), item.test_id) for item in loaded] == [(InvalidCase, "cases:<file>")]
    assert loaded[0].message.splitlines() == [  # type: ignore[union-attr]
        "cases.yaml:1: missing required key 'epic'",
        "cases.yaml:1 feature: must not be empty",
        "cases.yaml:2 owner: unknown key 'owner': allowed keys: cases, epic, feature",
    ]


def test_a_tab_is_called_a_tab(load_text: LoadText) -> None:
    (invalid,) = load_text(f"{HEAD}  - id: c\n    title: T\n\trequest: {{path: /gettoken}}\n")
    assert isinstance(invalid, InvalidCase)
    assert invalid.message == "cases.yaml:6: not valid YAML: column 1 is a tab character: indent with spaces"


# ── tags become pytest markers ──────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("tag", ["smoke", "P0", "_x", "slow_one"])
def test_a_marker_name_is_a_tag(load_case: Callable[[str], Case], tag: str) -> None:
    case = load_case(one_request("path: /gettoken, auth: app", f"    tags: [{tag}]\n"))
    assert case.tags == (tag,)


@pytest.mark.parametrize(
    ("tag", "problem"),
    [
        ("smoke test", "'smoke test' is not a usable tag: tags become pytest markers (-m NAME), so use letters"),
        ("p-0", "'p-0' is not a usable tag"),
        ("0day", "'0day' is not a usable tag"),
        ("skip", "'skip' is one of pytest's own markers: tags become pytest markers, so name the tag otherwise"),
        ("xfail", "'xfail' is one of pytest's own markers"),
        ("parametrize", "'parametrize' is one of pytest's own markers"),
    ],
)
def test_a_tag_that_is_no_marker_name_is_refused(load_text: LoadText, tag: str, problem: str) -> None:
    (invalid,) = load_text(one_request("path: /gettoken, auth: app", f"    tags: ['{tag}']\n"))
    assert isinstance(invalid, InvalidCase)
    assert invalid.message.startswith(f"cases.yaml:7 case 'c' tags[0]: {problem}")
