"""What a careful hand-written suite keeps beside its tests: one token per process, each JSON Schema compiled
once, and the checks of an answer. Shared by the hand-written module and by Tavern's verify function."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import requests

BASE_URL = os.environ["BENCH_BASE_URL"]
SCHEMA_DIR = Path(os.environ["BENCH_SCHEMA_DIR"])


def fetch_token(session: requests.Session) -> str:
    """The app's access token from /gettoken."""
    credentials = {"appkey": os.environ["BENCH_APPKEY"], "appsecret": os.environ["BENCH_APPSECRET"]}
    body = session.get(f"{BASE_URL}/gettoken", params=credentials, timeout=10).json()
    assert body["errcode"] == 0, body
    return body["access_token"]


@cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    """The compiled JSON Schema ``schemas/<name>.json``."""
    return jsonschema.Draft202012Validator(json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8")))


def answer_problems(
    body: Any, succeeds: bool, schema: str, path: str | None, comparator: str | None, limit: int | None
) -> list[str]:
    """What is wrong with an answer: its errcode, its schema, the length of the list at ``path``."""
    problems = []
    if (body.get("errcode") == 0) != succeeds:
        problems.append(f"errcode {body.get('errcode')!r}: expected {'0' if succeeds else 'an error'}")
    problems += [error.message for error in validator(schema).iter_errors(body)]
    if path is not None:
        value = body
        for key in path.split("."):
            value = value[key]
        if comparator == "len_ge" and len(value) < limit:
            problems.append(f"{path}: expected at least {limit} items, got {len(value)}")
        if comparator == "len_le" and len(value) > limit:
            problems.append(f"{path}: expected at most {limit} items, got {len(value)}")
    return problems


def tavern_check(
    response: requests.Response,
    schema: str,
    succeeds: bool,
    path: str | None = None,
    comparator: str | None = None,
    limit: int | None = None,
) -> None:
    """Tavern's ``verify_response_with`` function: the same checks as the hand-written module."""
    problems = answer_problems(response.json(), succeeds, schema, path, comparator, limit)
    assert not problems, problems
