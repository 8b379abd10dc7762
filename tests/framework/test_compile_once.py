"""The xdist controller's compiling of the tests (tests/compile_once.py) leaves what the workers would have made:
pytest's rewritten test modules where pytest looks for them and accepts them, and the other modules compiled."""

from __future__ import annotations

import importlib.util
import marshal
import sys
from pathlib import Path

import pytest
from _pytest.assertion.rewrite import PYC_TAIL, _read_pyc, get_cache_dir

from tests.compile_once import compile_for_workers

FAILING_TEST = "def test_it():\n    found = 1\n    assert found == 2\n"
MODULES = {
    "tests/test_first.py": FAILING_TEST,
    "tests/test_second.py": FAILING_TEST,
    "tests/conftest.py": FAILING_TEST,
    "tests/shared.py": FAILING_TEST,  # a pytest_plugins module: rewritten too
    "common/helper.py": "VALUE = 1\n",
    "common/other.py": "VALUE = 2\n",
    "bench/.venv-tavern/lib/installed.py": "VALUE = 3\n",
}


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    for name, text in MODULES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def _rewritten(path: Path) -> Path:
    return get_cache_dir(path) / f"{path.stem}{PYC_TAIL}"


def _failure_message(pyc: Path) -> str:
    """What the compiled module's failing assert says (empty where its asserts were not rewritten)."""
    namespace: dict[str, object] = {}
    exec(marshal.loads(pyc.read_bytes()[16:]), namespace)  # a pyc: a 16-byte header, then the code
    with pytest.raises(AssertionError) as failed:
        namespace["test_it"]()  # type: ignore[operator]
    return str(failed.value)


def test_the_test_modules_are_rewritten_where_pytest_reads_them(root: Path, pytestconfig: pytest.Config) -> None:
    compile_for_workers(pytestconfig, root, plugins=["tests.shared"])
    for name in ("tests/test_first.py", "tests/test_second.py", "tests/conftest.py", "tests/shared.py"):
        source = root / name
        assert _read_pyc(source, _rewritten(source)) is not None, name
        assert "assert 1 == 2" in _failure_message(_rewritten(source)), name


def test_the_other_modules_are_compiled_and_hidden_folders_left_alone(root: Path, pytestconfig: pytest.Config) -> None:
    compile_for_workers(pytestconfig, root, plugins=["tests.shared"])
    for name in ("common/helper.py", "common/other.py"):
        assert Path(importlib.util.cache_from_source(str(root / name))).is_file(), name
        assert not _rewritten(root / name).exists(), name
    assert not list((root / "bench").rglob("*.pyc"))
