"""Tavern's side of the benchmark (copied as ``conftest.py``): the sandbox URL and one token per process,
as session fixtures whose values the tests use as ``{base_url}`` and ``{token}``."""

from __future__ import annotations

import pytest
import requests
from bench_checks import BASE_URL, fetch_token


@pytest.fixture(scope="session")
def base_url() -> str:
    return BASE_URL


@pytest.fixture(scope="session")
def token() -> str:
    with requests.Session() as session:
        return fetch_token(session)
