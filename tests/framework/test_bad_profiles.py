"""Bad tenant profiles: each mistake is one line naming the file, line and key, or (for a key a case needs) the
case; every mistake of a profile is reported together.

The corpus is tests/bad_profiles/: each file starts with its expected lines, one ``# error: <line>`` each. A
profile that loads is then used to load tests/bad_profiles/cases/uses-profile.yaml, whose cases read its keys.
"""

from __future__ import annotations

from itertools import takewhile
from pathlib import Path
from typing import Any

import pytest

from common.cases.loader import CaseLoader
from common.cases.model import InvalidCase
from common.cases.profile import load_profile
from common.cases.schemas import SchemaStore
from common.core.errors import ConfigError
from tests.framework.fakes import PROJECT

BAD_PROFILES = PROJECT / "tests" / "bad_profiles"
USES_PROFILE = BAD_PROFILES / "cases" / "uses-profile.yaml"
ERROR_PREFIX = "# error: "
CORPUS = sorted(BAD_PROFILES.glob("*.yaml"))


def expected_errors(path: Path) -> list[str]:
    """The file's leading ``# error:`` lines (ASCII, so readable even in a file that is not UTF-8)."""
    lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()
    return [line.removeprefix(ERROR_PREFIX) for line in takewhile(lambda line: line.startswith(ERROR_PREFIX), lines)]


def errors_with(path: Path, schemas: SchemaStore) -> list[str]:
    """What a run with this profile reports: the profile's own error, else the errors of the cases using it."""
    try:
        profile = load_profile(path, path.relative_to(PROJECT).as_posix())
    except ConfigError as exc:
        return str(exc).splitlines()
    loaded = CaseLoader(schemas, profile, PROJECT).load(USES_PROFILE)
    return [item.message for item in loaded if isinstance(item, InvalidCase)]


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 25


def test_the_cases_load_with_a_good_profile(schemas: SchemaStore, profile: dict[str, Any]) -> None:
    loaded = CaseLoader(schemas, profile, PROJECT).load(USES_PROFILE)
    assert [item.test_id for item in loaded if not isinstance(item, InvalidCase)] == [
        "uses-profile:needs-admin",
        "uses-profile:needs-first-receiver",
        "uses-profile:needs-template",
    ]


@pytest.mark.parametrize("path", CORPUS, ids=lambda path: path.stem)
def test_a_bad_profile_gives_its_lines(schemas: SchemaStore, path: Path) -> None:
    expected = expected_errors(path)
    assert expected, f"{path.name} must start with '{ERROR_PREFIX}<message>' lines"
    assert errors_with(path, schemas) == expected


@pytest.mark.parametrize("path", CORPUS, ids=lambda path: path.stem)
def test_every_line_names_the_profile_or_the_case(schemas: SchemaStore, path: Path) -> None:
    for message in errors_with(path, schemas):
        assert "\n" not in message
        own = message.startswith(f"tests/bad_profiles/{path.name}")
        assert own or (message.startswith("tests/bad_profiles/cases/uses-profile.yaml:") and " case '" in message)
