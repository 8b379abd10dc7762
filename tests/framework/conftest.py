"""Fixtures of the framework's own tests: the checkout's schemas and sandbox profile, a loader for YAML written
inline by a test, a fake DingTalk and a token file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from common.cases.loader import CaseLoader
from common.cases.model import Case, InvalidCase
from common.cases.profile import load_profile
from common.cases.schemas import SchemaStore
from tests.framework.fake_dingtalk import FakeDingTalk
from tests.framework.fakes import PROJECT, FakeClock, LoadText


@pytest.fixture(scope="session")
def schemas() -> SchemaStore:
    return SchemaStore(PROJECT / "schemas")


@pytest.fixture(scope="session")
def profile() -> dict[str, Any]:
    return load_profile(PROJECT / "data" / "profiles" / "sandbox.yaml", "data/profiles/sandbox.yaml")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def load_text(tmp_path: Path, schemas: SchemaStore, profile: dict[str, Any]) -> LoadText:
    """Write YAML to ``cases.yaml`` in a fresh folder and load it (shown as ``cases.yaml``)."""
    loader = CaseLoader(schemas, profile, project_root=tmp_path)

    def load(text: str) -> list[Case | InvalidCase]:
        path = tmp_path / "cases.yaml"
        path.write_text(text, encoding="utf-8")
        return loader.load(path)

    return load


@pytest.fixture
def load_case(load_text: LoadText) -> Callable[[str], Case]:
    """Load YAML holding exactly one case, which must be valid."""

    def load(text: str) -> Case:
        loaded = load_text(text)
        assert len(loaded) == 1, loaded
        (case,) = loaded
        assert isinstance(case, Case), getattr(case, "message", case)
        return case

    return load


@pytest.fixture
def dingtalk() -> FakeDingTalk:
    return FakeDingTalk()


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    return tmp_path / "token.json"
