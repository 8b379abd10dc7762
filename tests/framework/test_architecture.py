"""docs/architecture.md is the map of the house: every module it names exists, every module of common/ is in it,
and no package imports one above it."""

from __future__ import annotations

import re

from tests.framework.fakes import PROJECT

MAP = (PROJECT / "docs" / "architecture.md").read_text(encoding="utf-8")
LAYERS = ("core", "cases", "http", "dingtalk", "live", "report", "run", "plugin")
"""The packages of common/, from the bottom up, in the order the map's table lists them."""


def _modules() -> set[str]:
    return {
        path.relative_to(PROJECT).as_posix()
        for path in (PROJECT / "common").rglob("*.py")
        if path.name != "__init__.py" and "__pycache__" not in path.parts
    }


def test_every_module_the_map_names_exists() -> None:
    named = set(re.findall(r"`(common/[\w/]+\.py)`", MAP))
    assert named
    assert sorted(named - _modules()) == []


def test_every_module_is_on_the_map() -> None:
    named = {f"common/{package}/{name}" for package, names in _table_rows() for name in names}
    named |= set(re.findall(r"`(common/[\w/]+\.py)`", MAP))
    assert sorted(_modules() - named) == []


def test_the_map_lists_the_packages_bottom_up() -> None:
    assert [package for package, _ in _table_rows()] == list(LAYERS)


def test_no_package_imports_one_above_it() -> None:
    upward = []
    for path in (PROJECT / "common").rglob("*.py"):
        parts = path.relative_to(PROJECT / "common").parts
        if len(parts) < 2:
            continue
        for imported in re.findall(r"^\s*(?:from|import) common\.(\w+)", path.read_text(encoding="utf-8"), re.M):
            if LAYERS.index(imported) > LAYERS.index(parts[0]):
                upward.append(f"{path.relative_to(PROJECT)} imports common.{imported}")
    assert upward == []


def test_no_module_of_common_lies_outside_a_package() -> None:
    assert sorted(path.name for path in (PROJECT / "common").glob("*.py")) == ["__init__.py"]


def _table_rows() -> list[tuple[str, list[str]]]:
    rows = re.findall(r"^\| `common/(\w+)/` \| (.*) \|$", MAP, flags=re.M)
    return [(package, re.findall(r"`(\w+\.py)`", text)) for package, text in rows]
