"""common.report.allure.pretty_json: the attachments' JSON, laid out as the standard library's ``indent=2`` does."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.report.allure import pretty_json

_INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)


def _documents(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
        max_leaves=20,
    )


def _standard(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


@settings(max_examples=80, deadline=None)
@given(_documents(st.none() | st.booleans() | _INT64 | st.text()))
def test_a_document_without_numbers_in_exponent_form_is_written_as_the_standard_library_writes_it(data: Any) -> None:
    assert pretty_json(data) == _standard(data)


@settings(max_examples=40, deadline=None)
@given(_documents(st.floats(allow_nan=False, allow_infinity=False) | _INT64))
def test_numbers_read_back_as_they_were(data: Any) -> None:
    assert json.loads(pretty_json(data)) == data


@pytest.mark.parametrize(
    "data",
    [{"id": 2**70}, {"errcode": 0, "list": [1, -(2**64)]}, {1: "a key that is a number"}, {"text": "\ud800"}],
    ids=["int-beyond-64-bits", "negative-beyond-64-bits", "number-key", "lone-surrogate"],
)
def test_what_orjson_refuses_the_standard_library_writes(data: Any) -> None:
    assert pretty_json(data) == _standard(data)
