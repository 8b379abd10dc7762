"""common.core.errors' one-line formats (a YAML mistake: ``file:line case 'id' field: problem``) and
common.http.curl's replay line."""

from __future__ import annotations

import shlex

import pytest

from common.core.errors import CaseError, CheckFailure, ConfigError, FrameworkError, Mistake, Source
from common.http.curl import to_curl
from common.http.transport import OutgoingRequest


@pytest.mark.parametrize(
    ("line", "case_id", "field", "text"),
    [
        (14, "c", "expect.errcode", "data/x.yaml:14 case 'c' expect.errcode: must be an integer, got 'abc'"),
        (None, "c", "id", "data/x.yaml case 'c' id: must be an integer, got 'abc'"),
        (3, None, "", "data/x.yaml:3: must be an integer, got 'abc'"),
        (7, None, "kinds[0].match", "data/x.yaml:7 kinds[0].match: must be an integer, got 'abc'"),
    ],
)
def test_a_mistake_is_one_line_naming_file_line_case_and_field(
    line: int | None, case_id: str | None, field: str, text: str
) -> None:
    mistake = Mistake(Source("data/x.yaml", line, field, case_id), "must be an integer, got 'abc'")
    error = CaseError(mistake)
    assert str(mistake) == str(error) == text
    assert error.mistake == mistake
    assert isinstance(error, FrameworkError)


def test_a_config_error_says_every_mistake_once_in_the_order_of_the_file() -> None:
    late = Mistake(Source("sweep.yaml", 9, "kinds[0].name"), "must be a string, got 1")
    early = Mistake(Source("sweep.yaml", 2, "kinds"), "must not be empty")
    error = ConfigError.of([late, early, late])
    assert str(error).splitlines() == [
        "sweep.yaml:2 kinds: must not be empty",
        "sweep.yaml:9 kinds[0].name: must be a string, got 1",
    ]
    assert error.mistakes == (late, early, late)


def test_check_failure_lists_every_problem_then_the_replay() -> None:
    failure = CheckFailure("title", ["a", "b"], "curl x")
    assert isinstance(failure, AssertionError)
    assert str(failure) == "title\n  - a\n  - b\n  replay:\n    curl x"
    assert str(CheckFailure("title", [])) == "title"


def test_curl_replays_method_url_headers_and_body() -> None:
    request = OutgoingRequest(
        "POST",
        "http://127.0.0.1:9/topapi/x?access_token=t&a=1",
        {"User-Agent": "ua", "Content-Type": "application/json", "X-Note": "it's", "Content-Length": "12"},
        b'{"k": "v\'s"}',
    )
    line = to_curl(request)
    assert shlex.split(line) == [
        "curl", "-X", "POST", "http://127.0.0.1:9/topapi/x?access_token=t&a=1",
        "-H", "Content-Type: application/json", "-H", "X-Note: it's", "--data-raw", '{"k": "v\'s"}',
    ]  # fmt: skip


def test_curl_without_a_body() -> None:
    assert to_curl(OutgoingRequest("GET", "http://127.0.0.1:9/gettoken", {}, None)) == (
        "curl -X GET http://127.0.0.1:9/gettoken"
    )
