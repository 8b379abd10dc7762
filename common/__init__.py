"""dingtalk-apitest: a YAML-driven API test framework for the DingTalk Open API."""

import sys

MIN_PYTHON = (3, 11)
"""The oldest Python the framework runs on (it uses typing.Self, zoneinfo and 3.11's exception notes)."""


def require_python() -> None:
    """Stop with one line on a Python older than MIN_PYTHON, before anything fails in a less clear way."""
    if sys.version_info < MIN_PYTHON:
        wanted = ".".join(map(str, MIN_PYTHON))
        raise SystemExit(f"dingtalk-apitest needs Python {wanted} or newer; this is Python {sys.version.split()[0]}")
