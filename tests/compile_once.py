"""The compiled Python of the framework's tests, made once by the xdist controller before its workers start.

Each worker imports every test module (asserts rewritten by pytest) and the project's packages. On a fresh clone none
of that is compiled yet, and the workers, started together, would each compile all of it: about 3 CPU-seconds a
worker, most of it pytest's assertion rewriting. The controller compiles it once, in two processes; the workers then
read it, as they do on every later run. The rewritten files are pytest's own, made by its own functions (pytest is
pinned in requirements.txt); with a pytest that lacks them, only the other modules are compiled here.
"""

from __future__ import annotations

import compileall
import fnmatch
import os
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

PACKAGES = ("common", "sandbox", "bench", "tests")
"""The folders of the checkout whose modules the framework's tests import."""

Rewrite = Callable[[Path], None]


def compile_for_workers(config: pytest.Config, root: Path, plugins: Iterable[str] = ()) -> None:
    """Rewrite the test modules, conftest files and ``plugins`` (the ``pytest_plugins`` modules) as pytest would, and
    compile the other modules, each where no current compiled file is kept."""
    patterns = config.getini("python_files")
    plugin_files = {root.joinpath(*name.split(".")).with_suffix(".py") for name in plugins}
    sources = sorted(
        path
        for package in PACKAGES
        for path in (root / package).rglob("*.py")
        if not any(part.startswith(".") for part in path.relative_to(root).parts)  # bench/.venv-tavern
    )
    rewrite = _pytest_rewrite(config)

    def compile_each(paths: list[Path]) -> None:
        for path in paths:
            if path in plugin_files or _rewritten_by_pytest(path, patterns):
                if rewrite is not None:
                    rewrite(path)
            else:
                compileall.compile_file(path, quiet=2)  # nothing where the kept file is current

    _in_two_processes(sources, compile_each)


def _rewritten_by_pytest(path: Path, patterns: Iterable[str]) -> bool:
    """A conftest file or a test module by ``python_files``: what pytest rewrites the asserts of."""
    return path.name == "conftest.py" or any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns)


def _pytest_rewrite(config: pytest.Config) -> Rewrite | None:
    """pytest's rewriting of one module into its cache, skipped where the cached file is current; None where this
    pytest has no such functions or rewriting is off (``--assert=plain``)."""
    try:
        from _pytest.assertion import assertstate_key
        from _pytest.assertion.rewrite import PYC_TAIL, _read_pyc, _rewrite_test, _write_pyc, get_cache_dir
    except ImportError:  # pragma: no cover - another pytest
        return None
    state = config.stash.get(assertstate_key, None)
    if state is None:
        return None

    def rewrite(path: Path) -> None:
        cache_dir = get_cache_dir(path)
        pyc = cache_dir / f"{path.stem}{PYC_TAIL}"
        if _read_pyc(path, pyc, state.trace) is not None:
            return
        try:
            source_stat, code = _rewrite_test(path, config)
        except SyntaxError:  # the worker that imports it reports it
            return
        cache_dir.mkdir(parents=True, exist_ok=True)
        _write_pyc(state, code, source_stat, pyc)

    return rewrite


def _in_two_processes(paths: list[Path], work: Callable[[list[Path]], None]) -> None:
    """``work`` on every other path in a forked child and on the rest here (serially where there is no fork)."""
    if not hasattr(os, "fork"):  # pragma: no cover - Windows
        work(paths)
        return
    child = os.fork()
    if child == 0:
        try:
            work(paths[::2])
        finally:
            os._exit(0)
    work(paths[1::2])
    os.waitpid(child, 0)
