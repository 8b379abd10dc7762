"""common.plugin.suite's process-wide choices: pytest's last garbage collection once, its warnings kept."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from _pytest.unraisableexception import gc_collect_iterations_key

from common.cases import yaml_cache
from common.core.paths import PROJECT_ROOT
from common.dingtalk.settings import load_settings
from common.plugin import suite as suite_plugin
from common.plugin.suite import collect_garbage_once_at_exit
from tests.spies import record_calls

pytest_plugins = ("pytester",)

CONFTEST = """
import os
from common.plugin.suite import collect_garbage_once_at_exit

def pytest_configure(config):
    collect_garbage_once_at_exit(config)
    if os.environ.get("NO_FINAL_COLLECTION"):  # the plugin's collections, none at all: the warning is lost
        from _pytest.unraisableexception import gc_collect_iterations_key
        config.stash[gc_collect_iterations_key] = 0
"""

TESTS = """
import gc

class Loud:
    def __del__(self):
        raise RuntimeError("a destructor failed")

def test_leaves_a_cycle_for_the_last_collection():
    gc.disable()  # this process only: the cycle stays until pytest's own collection at the end
    loud = Loud()
    loud.itself = loud
"""


@pytest.mark.parametrize(("environ", "reported"), [({}, True), ({"NO_FINAL_COLLECTION": "1"}, False)])
def test_a_failing_destructor_is_still_a_pytest_warning_with_one_final_collection(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], reported: bool
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(PROJECT_ROOT))
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # pytest's own plugins: the installed ones cost a second
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_cycle=TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    output = result.stdout.str() + result.stderr.str()
    assert "a destructor failed" in output
    assert ("PytestUnraisableExceptionWarning" in output) is reported


def test_pytest_collects_garbage_once_as_the_process_ends() -> None:
    config = SimpleNamespace(stash=pytest.Stash())
    collect_garbage_once_at_exit(config)
    assert config.stash[gc_collect_iterations_key] == 1


def test_a_second_run_reads_the_case_files_from_the_parse_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(suite_plugin, "YAML_CACHE_DIR", tmp_path / "cache")
    parses = record_calls(monkeypatch, yaml_cache, "parse_yaml_bytes")
    environ = {
        "DINGTALK_TARGET": "live",
        "DINGTALK_OAPI_URL": "http://127.0.0.1:9",
        "DINGTALK_API_URL": "http://127.0.0.1:9",
    }
    environ |= {"DINGTALK_APPKEY": "k", "DINGTALK_APPSECRET": "s", "DINGTALK_PROFILE": "data/profiles/sandbox.yaml"}
    settings = load_settings(PROJECT_ROOT, environ=environ)
    runs = [suite_plugin._make_suite(settings, f"run-{n}", tmp_path) for n in range(2)]
    first, second = ([run.collected[i] for i in run.collect("auth.yaml")] for run in runs)
    assert [shown for _, shown in parses] == ["data/auth.yaml"]
    assert second == first
