"""The project stands on its own: no file it ships points outside the repository, and what a user keeps private
is git-ignored."""

from __future__ import annotations

import re
import subprocess

from tests.framework.fakes import PROJECT

OUTSIDE = re.compile(r"\.\./shared|/work/|dingtalk-facts\.md|shared/seeds")


def _shipped_text_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files"], cwd=PROJECT, capture_output=True, text=True, check=True).stdout
    return [name for name in listed.split() if name.endswith((".py", ".md", ".yaml", ".yml", ".json", ".mjs", ".ini"))]


def test_no_shipped_file_points_outside_the_repository() -> None:
    pointing = [
        name
        for name in _shipped_text_files()
        if name != "tests/framework/test_self_contained.py"
        and OUTSIDE.search((PROJECT / name).read_text(encoding="utf-8", errors="replace"))
    ]
    assert pointing == []


def test_a_tenant_profile_of_ones_own_is_git_ignored() -> None:
    for private in ("data/profiles/live.yaml", "data/profiles/acme.local.yaml", ".env", "reports/junit.xml"):
        ignored = subprocess.run(["git", "check-ignore", "-q", private], cwd=PROJECT)
        assert ignored.returncode == 0, private
