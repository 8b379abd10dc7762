"""The project stands on its own: no file it ships points outside the repository, and what a user keeps private
is git-ignored."""

from __future__ import annotations

import re
import subprocess

from tests.framework.fakes import PROJECT

_SIBLING = "shared"
OUTSIDE = re.compile(
    "|".join(re.escape(text) for text in (f"../{_SIBLING}", f"{_SIBLING}/seeds", "dingtalk-" + "facts.md"))
)
"""Where the developers' own reading lives beside the checkout; users never have it (spelt in parts, so that this
file does not point there itself)."""


def _shipped_text_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files"], cwd=PROJECT, capture_output=True, text=True, check=True).stdout
    return [name for name in listed.split() if name.endswith((".py", ".md", ".yaml", ".yml", ".json", ".mjs", ".ini"))]


def test_no_shipped_file_points_outside_the_repository() -> None:
    pointing = [
        name
        for name in _shipped_text_files()
        if OUTSIDE.search((PROJECT / name).read_text(encoding="utf-8", errors="replace"))
    ]
    assert pointing == []


def test_a_tenant_profile_of_ones_own_is_git_ignored() -> None:
    for private in ("data/profiles/live.yaml", "data/profiles/acme.local.yaml", ".env", "reports/junit.xml"):
        ignored = subprocess.run(["git", "check-ignore", "-q", private], cwd=PROJECT)
        assert ignored.returncode == 0, private
