"""The benchmark's cases, written once as plain data and rendered for each contender.

Every case is one old-host POST with a JSON body, checked for HTTP 200, its errcode, its JSON Schema and
(most of them) the length of one list in the answer. The framework gets them as a YAML data file with
``${profile.KEY}`` placeholders; the hand-written module and Tavern get the same requests with the
profile's values filled in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

PROFILE_REFERENCE = re.compile(r"^\$\{profile\.(\w+)\}$")
ERROR_SCHEMA = "oapi/error"


@dataclass(frozen=True)
class LengthCheck:
    """The list at ``path`` (dotted) has at least (``len_ge``) or at most (``len_le``) ``limit`` items."""

    path: str
    comparator: str
    limit: int


@dataclass(frozen=True)
class BenchCase:
    """One single-request case: success (errcode 0, the endpoint's schema) or error (errcode != 0)."""

    id: str
    title: str
    path: str
    json: dict[str, Any]
    succeeds: bool
    length: LengthCheck | None

    @property
    def schema(self) -> str:
        """The JSON Schema the answer must match."""
        return f"oapi{self.path}" if self.succeeds else ERROR_SCHEMA


def bench_cases(count: int) -> list[BenchCase]:
    """``count`` cases cycling through four request shapes on three endpoints (read-only, seeded data)."""
    return [_shape(number) for number in range(count)]


def _shape(number: int) -> BenchCase:
    """Case ``number``: the shapes take turns; queryonjob's page size varies so that its requests differ."""
    size = 1 + number % 50
    shapes = (
        (
            "category-list",
            "category/list answers the tenant's categories",
            "/topapi/blackboard/category/list",
            {"operation_userid": "${profile.admin_userid}"},
            LengthCheck("result", "len_ge", 1),
        ),
        (
            "listtopten",
            "listtopten answers at most ten announcements",
            "/topapi/blackboard/listtopten",
            {"userid": "${profile.reader_userid}"},
            LengthCheck("blackboard_list", "len_le", 10),
        ),
        (
            "queryonjob",
            f"queryonjob answers at most {size} userids",
            "/topapi/smartwork/hrm/employee/queryonjob",
            {"status_list": "2,3,5,-1", "offset": 0, "size": size},
            LengthCheck("result.data_list", "len_le", size),
        ),
        ("listtopten-no-userid", "listtopten without userid is refused", "/topapi/blackboard/listtopten", {}, None),
    )
    name, title, path, body, length = shapes[number % len(shapes)]
    refused = length is None  # the one error shape; it has no list to check
    return BenchCase(f"{name}-{number:05d}", title, path, body, not refused, length)


def framework_yaml(cases: list[BenchCase]) -> str:
    """The cases as one data file of the framework."""
    entries = []
    for case in cases:
        expect: dict[str, Any] = {}
        if not case.succeeds:
            expect["errcode"] = {"ne": 0}
        if case.length is not None:
            expect["body"] = {case.length.path: {case.length.comparator: case.length.limit}}
        entry = {"id": case.id, "title": case.title, "request": {"path": case.path, "json": case.json}}
        entries.append({**entry, "expect": expect} if expect else entry)
    document = {"epic": "Benchmark", "feature": "bench", "cases": entries}
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=200)


def resolved_json(case: BenchCase, profile: Mapping[str, Any]) -> dict[str, Any]:
    """The request body with every ``${profile.KEY}`` replaced by the profile's value."""
    resolved = {}
    for key, value in case.json.items():
        match = PROFILE_REFERENCE.match(value) if isinstance(value, str) else None
        resolved[key] = profile[match.group(1)] if match else value
    return resolved


def handwritten_table(cases: list[BenchCase], profile: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The cases as the rows of the hand-written module's parametrize table."""
    return [
        {
            "id": case.id,
            "title": case.title,
            "path": case.path,
            "json": resolved_json(case, profile),
            "succeeds": case.succeeds,
            "schema": case.schema,
            "length": None if case.length is None else [case.length.path, case.length.comparator, case.length.limit],
        }
        for case in cases
    ]


def tavern_yaml(cases: list[BenchCase], profile: Mapping[str, Any]) -> str:
    """The cases as one Tavern file: a YAML document per test, the token from a session fixture."""
    documents = []
    for row in handwritten_table(cases, profile):
        response: dict[str, Any] = {"status_code": 200}
        if row["succeeds"]:
            response["json"] = {"errcode": 0}
        length = row["length"] or [None, None, None]
        arguments = dict(zip(("path", "comparator", "limit"), length, strict=True))
        response["verify_response_with"] = {
            "function": "bench_checks:tavern_check",
            "extra_kwargs": {"schema": row["schema"], "succeeds": row["succeeds"], **arguments},
        }
        stage = {
            "name": row["title"],
            "request": {
                "url": "{base_url}" + row["path"],
                "method": "POST",
                "params": {"access_token": "{token}"},
                "json": row["json"],
            },
            "response": response,
        }
        documents.append(
            {
                "test_name": row["id"],
                "strict": ["json:off"],
                "marks": [{"usefixtures": ["base_url", "token"]}],
                "stages": [stage],
            }
        )
    return yaml.safe_dump_all(documents, allow_unicode=True, sort_keys=False, width=200)
