"""common.http.masking: secrets never reach a message, attachment, curl line or log record."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator

import pytest

from common.http.masking import (
    FOLDING_TO_ASCII,
    MASK,
    SECRET_FIELD_NAMES,
    Masker,
    MaskingLogFilter,
    install_log_masking,
)

TOKEN = "e1b2c3d4e5f6a7b8c9d0"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            f"https://oapi.dingtalk.com/topapi/blackboard/get?access_token={TOKEN}",
            "https://oapi.dingtalk.com/topapi/blackboard/get?access_token=***",
        ),
        (f"/get?x=1&access_token={TOKEN}&y=2", "/get?x=1&access_token=***&y=2"),
        (f"/get?ACCESS_TOKEN={TOKEN}", "/get?ACCESS_TOKEN=***"),
        ("GET /gettoken?appkey=dingkey&appsecret=S3cr3t-value", "GET /gettoken?appkey=dingkey&appsecret=***"),
        (f"x-acs-dingtalk-access-token: {TOKEN}", "x-acs-dingtalk-access-token: ***"),
        (f"X-Acs-Dingtalk-Access-Token:{TOKEN}", "X-Acs-Dingtalk-Access-Token:***"),
        (
            f"curl -X GET 'https://api.dingtalk.com/v1.0/x' -H 'x-acs-dingtalk-access-token: {TOKEN}'",
            "curl -X GET 'https://api.dingtalk.com/v1.0/x' -H 'x-acs-dingtalk-access-token: ***'",
        ),
        (
            f'{{"errcode": 0, "access_token": "{TOKEN}", "expires_in": 7200}}',
            '{"errcode": 0, "access_token": "***", "expires_in": 7200}',
        ),
        (f'{{"accessToken":"{TOKEN}","expireIn":7200}}', '{"accessToken":"***","expireIn":7200}'),
        (
            f"/robot/send?access_token={TOKEN}&timestamp=1700000000000&sign=abc%2Bdef%3D",
            "/robot/send?access_token=***&timestamp=1700000000000&sign=***",
        ),
        ("nothing secret: errcode=0&appkey=dingkey", "nothing secret: errcode=0&appkey=dingkey"),
    ],
    ids=[
        "url",
        "url-middle",
        "url-upper",
        "appsecret",
        "header",
        "header-no-space",
        "curl-header",
        "json",
        "json-camel",
        "robot-sign",
        "nothing",
    ],
)
def test_secret_named_values_are_masked(text: str, masked: str) -> None:
    assert Masker()(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("/get?acceſs_token=abc123", "/get?acceſs_token=***"),
        ("/robot/send?ſıgn=abc%2B", "/robot/send?ſıgn=***"),
        ("x-acs-dİngtalk-access-token: abcd1234", "x-acs-dİngtalk-access-token: ***"),
        ('{"accesſToken": "abc123"}', '{"accesſToken": "***"}'),
        ("appſecret=xyz1", "appſecret=***"),
    ],
    ids=["long-s", "dotless-i", "dotted-capital-i", "json-camel-long-s", "appsecret-long-s"],
)
def test_names_that_match_only_under_unicode_case_folding_are_masked(text: str, masked: str) -> None:
    # ſ, ı and İ fold to s and i for the patterns, but "ſ".lower() is no "s": no shortcut may skip such a text
    assert Masker()(text) == masked


def test_a_name_written_with_a_folding_letter_is_masked_beside_all_of_them() -> None:
    text = f"note {FOLDING_TO_ASCII}: acceſs_token=abc123"
    assert Masker()(text) == f"note {FOLDING_TO_ASCII}: acceſs_token=***"


def test_a_text_naming_every_secret_field_has_every_value_masked() -> None:
    text = json.dumps({name: f"value-of-{index}" for index, name in enumerate(SECRET_FIELD_NAMES)})
    assert json.loads(Masker()(text)) == dict.fromkeys(SECRET_FIELD_NAMES, "***")


def test_no_other_character_beyond_ascii_folds_to_a_letter_of_a_secret_name() -> None:
    # the masker's fast search for the names relies on this list; Python's case folding decides it
    letters = sorted({letter for name in SECRET_FIELD_NAMES for letter in name.lower()})
    any_letter = re.compile("(?i)[" + re.escape("".join(letters)) + "]")
    beyond_ascii = (chr(code) for code in range(0x80, sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF)
    assert "".join(char for char in beyond_ascii if any_letter.match(char)) == FOLDING_TO_ASCII


def test_secret_named_fields_in_python_repr_are_masked() -> None:
    # comparator and save messages print bodies with !r
    assert Masker()(repr({"errcode": 0, "access_token": TOKEN})) == "{'errcode': 0, 'access_token': '***'}"


@pytest.mark.parametrize(
    "text",
    [
        "the secret S3cr3t-value in prose",
        "S3cr3t-value",
        '{"note": "S3cr3t-value"}',
        "a=S3cr3t-value&b=S3cr3t-value",
    ],
)
def test_registered_secrets_are_masked_anywhere(text: str) -> None:
    masked = Masker(["S3cr3t-value"])(text)
    assert "S3cr3t-value" not in masked
    assert masked == text.replace("S3cr3t-value", MASK)


def test_secrets_added_later_are_masked_too() -> None:
    masker = Masker()
    assert masker("token abcdef123") == "token abcdef123"
    masker.add("abcdef123")
    assert masker("token abcdef123") == "token ***"


def test_a_longer_secret_is_masked_whole_before_a_shorter_one_inside_it() -> None:
    assert Masker(["abcd", "abcdef"])("x abcdef y abcd") == "x *** y ***"


def test_overlapping_secrets_are_masked_longest_first_whatever_their_alphabetical_order() -> None:
    # masking "bcd1" first would leave "a***234": most of the longer secret in plain sight
    assert Masker(["bcd1", "abcd1234"])("x abcd1234 y bcd1") == "x *** y ***"


@pytest.mark.parametrize(("secret", "masked"), [("abc", "id abc"), ("abcd", "id ***")])
def test_secrets_shorter_than_four_characters_are_not_masked(secret: str, masked: str) -> None:
    # so that a short value such as "1" or "ok" does not turn every message into stars
    assert Masker([secret])(f"id {secret}") == masked


def test_an_empty_secret_masks_nothing() -> None:
    assert Masker([""])("plain text") == "plain text"


def test_masking_twice_changes_nothing_more() -> None:
    masker = Masker([TOKEN])
    once = masker(f"?access_token={TOKEN}&appsecret=xyz")
    assert masker(once) == once == "?access_token=***&appsecret=***"


def _urllib3_record() -> logging.LogRecord:
    """A record shaped like urllib3.connectionpool's request line: the URL arrives in ``args``."""
    return logging.LogRecord(
        "urllib3.connectionpool",
        logging.DEBUG,
        "connectionpool.py",
        546,
        '%s://%s:%s "%s %s %s" %s %s',
        ("https", "oapi.dingtalk.com", 443, "GET", f"/gettoken?appkey=k&appsecret={TOKEN}", "HTTP/1.1", 200, 87),
        None,
    )


def test_the_log_filter_masks_a_record_s_args() -> None:
    record = _urllib3_record()
    assert MaskingLogFilter(Masker()).filter(record) is True
    assert record.getMessage() == 'https://oapi.dingtalk.com:443 "GET /gettoken?appkey=k&appsecret=*** HTTP/1.1" 200 87'


def test_the_log_filter_leaves_clean_records_alone() -> None:
    record = logging.LogRecord("urllib3", logging.DEBUG, "x.py", 1, "Starting new %s connection", ("HTTPS",), None)
    MaskingLogFilter(Masker()).filter(record)
    assert (record.msg, record.args) == ("Starting new %s connection", ("HTTPS",))


@pytest.fixture
def installed() -> Iterator[None]:
    """Masking installed for urllib3's loggers, removed afterwards."""
    remove = install_log_masking(Masker([TOKEN]), ("urllib3",))
    yield
    remove()


def _log_a_token(logger: str) -> None:
    logging.getLogger(logger).debug("GET /topapi/blackboard/get?access_token=%s", TOKEN)


@pytest.mark.usefixtures("installed")
def test_a_logger_made_after_masking_is_installed_is_masked_too(caplog: pytest.LogCaptureFixture) -> None:
    later = f"urllib3.made_later_{id(caplog)}"  # like urllib3.connectionpool when requests loads at the first send
    assert later not in logging.root.manager.loggerDict
    with caplog.at_level(logging.DEBUG):
        _log_a_token(later)
        _log_a_token("urllib3_lookalike")  # not urllib3's: left alone
    assert caplog.messages == [
        "GET /topapi/blackboard/get?access_token=***",
        f"GET /topapi/blackboard/get?access_token={TOKEN}",
    ]


def test_removing_masking_leaves_records_as_they_are(caplog: pytest.LogCaptureFixture) -> None:
    before = logging.getLogRecordFactory()
    remove = install_log_masking(Masker([TOKEN]), ("urllib3",))
    remove()
    assert logging.getLogRecordFactory() is before
    with caplog.at_level(logging.DEBUG):
        _log_a_token("urllib3.connectionpool")
    assert caplog.messages == [f"GET /topapi/blackboard/get?access_token={TOKEN}"]


def test_masking_removed_out_of_order_stops_masking_all_the_same(caplog: pytest.LogCaptureFixture) -> None:
    first = install_log_masking(Masker([TOKEN]), ("urllib3",))
    second = install_log_masking(Masker(), ("requests",))
    first()  # not the last installed: its factory stays in the chain, switched off
    with caplog.at_level(logging.DEBUG):
        _log_a_token("urllib3.connectionpool")
    second()
    assert caplog.messages == [f"GET /topapi/blackboard/get?access_token={TOKEN}"]


@pytest.mark.usefixtures("installed")
def test_installed_masking_reaches_urllib3_debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="urllib3"):
        logging.getLogger("urllib3.connectionpool").debug(
            '%s://%s:%s "%s %s %s" %s %s', "https", "oapi.dingtalk.com", 443, "POST",
            f"/topapi/blackboard/get?access_token={TOKEN}", "HTTP/1.1", 200, 87,
        )  # fmt: skip
    assert caplog.messages == [
        'https://oapi.dingtalk.com:443 "POST /topapi/blackboard/get?access_token=*** HTTP/1.1" 200 87'
    ]
    assert TOKEN not in caplog.text
