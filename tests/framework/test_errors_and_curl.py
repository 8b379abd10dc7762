"""common.core.errors' one-line formats and common.http.curl's replay line."""

from __future__ import annotations

import shlex

import pytest

from common.core.errors import CaseError, CheckFailure, FrameworkError
from common.http.curl import to_curl
from common.http.transport import OutgoingRequest


@pytest.mark.parametrize(
    ("line", "case_id", "field", "text"),
    [
        (14, "c", "expect.errcode", "data/x.yaml:14 case 'c' expect.errcode: must be an integer, got 'abc'"),
        (None, "c", "id", "data/x.yaml case 'c' id: must be an integer, got 'abc'"),
        (3, None, "", "data/x.yaml:3: must be an integer, got 'abc'"),
    ],
)
def test_case_error_format(line: int | None, case_id: str | None, field: str, text: str) -> None:
    error = CaseError("data/x.yaml", line, case_id, field, "must be an integer, got 'abc'")
    assert str(error) == error.format() == text
    assert isinstance(error, FrameworkError)


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
