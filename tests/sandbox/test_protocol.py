"""The protocol helpers the routes share (sandbox/protocol): each API style's error answer, wrong methods, request
errors on the new host, tokens, JSON bodies, comma strings and the three kinds of paging."""

from typing import Any

import pytest

from sandbox.protocol.envelopes import AcsError, OapiError, Style, error_answer, request_errors, wrong_method
from sandbox.protocol.messages import Request
from sandbox.protocol.paging import numbered_page, token_page
from sandbox.protocol.parameters import check_one_of, comma_numbers, comma_texts, json_body, require_token

VALID = "a-valid-token"


def _refusal(error: Exception) -> tuple[Any, ...]:
    """What a test compares of an error: the old host's errcode and message, the new host's status, code, message."""
    if isinstance(error, AcsError):
        return error.status, error.code, error.message
    assert isinstance(error, OapiError)
    return error.errcode, error.errmsg


# --- envelopes ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("style", [Style.GETTOKEN, Style.ROBOT])
def test_gettoken_and_the_robot_answer_errors_flat(style: Style) -> None:
    assert error_answer(style, OapiError(40096, "不合法的appKey或appSecret")) == (
        200,
        {"errcode": 40096, "errmsg": "不合法的appKey或appSecret"},
    )


def test_topapi_errors_carry_a_request_id() -> None:
    status, body = error_answer(Style.TOPAPI, OapiError(40035, "缺少参数 userid"))
    assert status == 200
    assert body.pop("request_id").isalnum()
    assert body == {"errcode": 40035, "errmsg": "缺少参数 userid"}


def test_the_top_gateway_answers_in_its_error_response() -> None:
    bad_token = OapiError(88, "ding talk error", sub_code="40014", sub_msg="不合法的access_token")
    assert error_answer(Style.TOP, bad_token)[1] == {
        "error_response": {"msg": "Invalid session", "code": 27, "sub_msg": "不合法的access_token", "sub_code": "40014"}
    }
    assert error_answer(Style.TOP, OapiError(400002, "参数错误: auth_corpid 非法参数"))[1]["error_response"] == {
        "msg": "Remote service error",
        "code": 50,
        "sub_msg": "参数错误: auth_corpid 非法参数",
        "sub_code": "isv.invalid-parameter",
    }


def test_a_new_host_error_keeps_its_status() -> None:
    status, body = error_answer(Style.ACS, AcsError(400, "invalidParameter", "bad"))
    assert (status, body["code"], body["message"]) == (400, "invalidParameter", "bad")


@pytest.mark.parametrize(
    ("style", "allowed", "refusal"),
    [
        (Style.GETTOKEN, "GET", (43001, "需要GET请求")),
        (Style.TOPAPI, "POST", (43002, "需要POST请求")),
        (Style.TOPAPI, "GET", (43001, "需要GET请求")),
        (Style.ACS, "GET", (405, "MethodNotAllowed", "the HTTP method is not allowed for this API")),
    ],
)
def test_a_wrong_method_is_refused_as_the_host_refuses_it(style: Style, allowed: str, refusal: tuple[Any]) -> None:
    assert _refusal(wrong_method(style, allowed)) == refusal


def test_request_errors_become_http_400_on_the_new_host_only() -> None:
    with pytest.raises(AcsError) as raised, request_errors(Style.ACS, "MissingParameter"):
        raise OapiError(40035, "缺少参数 userId")
    assert _refusal(raised.value) == (400, "MissingParameter", "缺少参数 userId")
    with pytest.raises(OapiError) as kept, request_errors(Style.TOPAPI, "MissingParameter"):
        raise OapiError(40035, "缺少参数 userid")
    assert _refusal(kept.value) == (40035, "缺少参数 userid")


# --- parameters --------------------------------------------------------------------------------------------------


def _request(body: bytes, content_type: str = "application/json", **headers: str) -> Request:
    return Request("POST", "/topapi/x", {"content-type": content_type, **headers}, body)


@pytest.mark.parametrize(
    ("style", "query", "headers", "refusal"),
    [
        (Style.TOPAPI, {}, {}, (88, "ding talk error[subcode=40000,submsg=access_token is blank]")),
        (Style.TOP, {"access_token": "old"}, {}, (88, "ding talk error[subcode=40014,submsg=不合法的access_token]")),
        (
            Style.ACS,
            {"access_token": VALID},
            {},
            (400, "AuthenticationFailed.MissingParameter", "缺少 x-acs-dingtalk-access-token 请求头"),
        ),
        (Style.ACS, {}, {"x-acs-dingtalk-access-token": "old"}, (400, "InvalidAuthentication", "不合法的access_token")),
    ],
)
def test_a_missing_or_invalid_token_is_refused_where_the_style_carries_it(
    style: Style, query: dict[str, str], headers: dict[str, str], refusal: tuple[Any]
) -> None:
    with pytest.raises((OapiError, AcsError)) as raised:
        require_token(style, _request(b"", **headers), query, lambda token: token == VALID)
    assert _refusal(raised.value) == refusal


def test_a_valid_token_passes_in_the_query_or_the_header() -> None:
    require_token(Style.TOPAPI, _request(b""), {"access_token": VALID}, lambda token: token == VALID)
    require_token(Style.ACS, _request(b"", **{"x-acs-dingtalk-access-token": VALID}), {}, lambda token: token == VALID)


@pytest.mark.parametrize(
    ("request_", "refusal"),
    [
        (
            _request(b"a=1", "application/x-www-form-urlencoded"),
            (43004, "无效的HTTP HEADER Content-Type: application/x-www-form-urlencoded"),
        ),
        (
            _request(
                b'{"a": 1',
            ),
            (400002, "参数错误: 请求体不是合法的JSON"),
        ),
        (_request(b"[1]"), (400002, "参数错误: 请求体必须是JSON对象")),
    ],
)
def test_a_bad_json_body_is_refused(request_: Request, refusal: tuple[Any]) -> None:
    with pytest.raises(OapiError) as raised:
        json_body(request_)
    assert _refusal(raised.value) == refusal


def test_an_empty_body_of_any_type_is_an_empty_object() -> None:
    assert json_body(_request(b" \r\n", "text/plain")) == {}
    assert json_body(_request('{"userid": "张三"}'.encode(), "application/json; charset=utf-8")) == {"userid": "张三"}


def test_comma_strings() -> None:
    assert comma_texts({"userid_list": " b, a,,b ,c"}, "userid_list") == ["b", "a", "c"]
    assert comma_numbers({"status_list": "2, 3,-1"}, "status_list") == [2, 3, -1]
    with pytest.raises(OapiError) as raised:
        comma_numbers({"status_list": "2,,3"}, "status_list")
    assert _refusal(raised.value) == (400002, "参数错误: status_list must be numbers joined by commas, got '2,,3'")


def test_a_value_outside_its_choices_is_400002() -> None:
    assert check_one_of("status", 1, (0, 1), "0 or 1") == 1
    with pytest.raises(OapiError) as raised:
        check_one_of("content_type", "html", ("markdown",), '"markdown"')
    assert _refusal(raised.value) == (400002, """参数错误: content_type must be "markdown", got 'html'""")


# --- paging ------------------------------------------------------------------------------------------------------


def test_page_numbers_start_at_1() -> None:
    letters = list("abcdefg")
    assert [numbered_page(letters, page, 3) for page in (1, 2, 3, 4)] == [["a", "b", "c"], ["d", "e", "f"], ["g"], []]


def test_next_token_points_past_the_end_on_the_last_page() -> None:
    letters = list("abcde")
    assert token_page("ids", letters, 0, 2) == {"nextToken": 2, "hasMore": True, "ids": ["a", "b"]}
    assert token_page("ids", letters, 2, 3) == {"nextToken": 5, "hasMore": False, "ids": ["c", "d", "e"]}
    assert token_page("ids", letters, 4, 3) == {"nextToken": 5, "hasMore": False, "ids": ["e"]}
    assert token_page("ids", letters, 9, 3) == {"nextToken": 9, "hasMore": False, "ids": []}
