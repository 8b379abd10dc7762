"""Bad settings: every bad .env line or value stops start-up with one line naming the variable and what to do.

The corpus is tests/bad_env/: each file is a ``.env`` whose first line is ``# error: <the exact message>``.
Start-up is what the pytest plugin does first: the settings, then the tenant profile they name.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from common.cases.profile import load_profile
from common.core.errors import ConfigError
from common.dingtalk.settings import load_settings
from tests.framework.fakes import PROJECT

BAD_ENV = PROJECT / "tests" / "bad_env"
ERROR_PREFIX = "# error: "
CORPUS = sorted(BAD_ENV.glob("*.env"))
SECRET = "never-shown"


def start_up(env_file: Path, root: Path) -> None:
    """Settings and profile of a project at ``root`` (holding the checkout's profiles) with this ``.env``."""
    shutil.copytree(PROJECT / "data" / "profiles", root / "data" / "profiles")
    shutil.copy(env_file, root / ".env")
    settings = load_settings(root, environ={})
    load_profile(settings.profile_path, settings.profile_path.relative_to(root).as_posix())


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 20


def test_a_good_env_file_starts(tmp_path: Path) -> None:
    good = tmp_path / "good.env"
    good.write_text("# the sandbox, explicitly\nDINGTALK_TARGET=sandbox\nexport DINGTALK_TIMEOUT=5\n")
    start_up(good, tmp_path / "project")


@pytest.mark.parametrize("path", CORPUS, ids=lambda path: path.stem)
def test_a_bad_env_file_gives_its_one_line(tmp_path: Path, path: Path) -> None:
    first_line = path.read_bytes().decode("utf-8", errors="replace").splitlines()[0]
    assert first_line.startswith(ERROR_PREFIX), f"{path.name} must start with '{ERROR_PREFIX}<message>'"
    with pytest.raises(ConfigError) as raised:
        start_up(path, tmp_path)
    assert str(raised.value) == first_line.removeprefix(ERROR_PREFIX)
    assert SECRET not in str(raised.value)
