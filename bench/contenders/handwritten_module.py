"""The benchmark's cases written by hand: a parametrize table, requests, jsonschema and Allure.

Copied into the benchmark's workspace as ``test_handwritten.py``, next to ``cases.json``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import allure
import pytest
import requests
from bench_checks import BASE_URL, answer_problems, fetch_token

CASES = json.loads((Path(__file__).parent / "cases.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def session() -> Iterator[requests.Session]:
    with requests.Session() as shared:
        yield shared


@pytest.fixture(scope="session")
def token(session: requests.Session) -> str:
    return fetch_token(session)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_case(case: dict[str, Any], session: requests.Session, token: str) -> None:
    allure.dynamic.title(case["title"])
    allure.dynamic.story(case["path"])
    response = session.post(BASE_URL + case["path"], params={"access_token": token}, json=case["json"], timeout=10)
    request_text = json.dumps(case["json"], ensure_ascii=False, indent=2)
    allure.attach(request_text, name="request", attachment_type=allure.attachment_type.JSON)
    allure.attach(response.text, name="response", attachment_type=allure.attachment_type.JSON)
    assert response.status_code == 200
    problems = answer_problems(response.json(), case["succeeds"], case["schema"], *(case["length"] or (None,) * 3))
    assert not problems, problems
