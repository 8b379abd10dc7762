"""The sandbox's rooms keep to themselves: the protocol helpers stand below the emulator, the routes hold only each
endpoint's behaviour, and what only tests use lives in sandbox/testing, which the emulator never imports."""

import re
from pathlib import Path

SANDBOX = Path(__file__).resolve().parents[2] / "sandbox"
IMPORTED = re.compile(r"^\s*(?:from|import) (sandbox(?:\.\w+)*)", re.M)
INLINE_PROTOCOL = {
    "an envelope built by hand": re.compile(r"""["']errcode["']\s*:"""),
    "a query string parsed": re.compile(r"\bparse_qsl\b"),
    "a body parsed": re.compile(r"\bjson\.loads\b"),
    "a page cut by hand": re.compile(r"\(\s*page\s*-\s*1\s*\)\s*\*"),
}


def _imports(path: Path) -> list[str]:
    return IMPORTED.findall(path.read_text(encoding="utf-8"))


def _modules(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*.py") if "__pycache__" not in path.parts)


def test_the_protocol_helpers_import_nothing_of_the_emulator_but_the_faults() -> None:
    helpers = _modules(SANDBOX / "protocol")
    upward = [
        f"{path.relative_to(SANDBOX)} imports {name}"
        for path in helpers
        for name in _imports(path)
        if not name.startswith("sandbox.protocol") and name != "sandbox.faults"
    ]
    assert helpers and upward == []


def test_routes_leave_envelopes_parameters_and_paging_to_the_protocol_helpers() -> None:
    inline = [
        f"{path.relative_to(SANDBOX)}: {what}"
        for path in _modules(SANDBOX / "routes")
        for what, pattern in INLINE_PROTOCOL.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert inline == []


def test_the_emulator_never_imports_the_test_helpers() -> None:
    emulator = [path for path in _modules(SANDBOX) if "testing" not in path.relative_to(SANDBOX).parts]
    leaks = [
        f"{path.relative_to(SANDBOX)} imports {name}"
        for path in emulator
        for name in _imports(path)
        if name.startswith("sandbox.testing")
    ]
    assert emulator and leaks == []
