"""Replay a case that failed: its requests sent again, with a fresh token, to the current target.

    python -m common.report.replay blackboard:crud-flow
    python -m common.report.replay 'testcases/test_cases.py::test_case[blackboard:crud-flow]'

The id is the report's 用例 ID parameter (or the pytest node id the run printed). The case runs again through the
framework, once, with the settings of a run (``DINGTALK_TARGET``, ``DINGTALK_OAPI_URL``, the app's key and
secret, ``DINGTALK_ALLOW_WRITES``...): its set-up steps, saved variables and teardown as in the run, a new token
from ``/gettoken``. Each request and its answer are printed masked (the token and the app secret are never
shown); the run's own reports are left alone (the replay writes its results to a directory of its own) and no
robot message is sent. The exit status is pytest's: 0 when the case passes now, 1 when it still fails.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from common.core.paths import PROJECT_ROOT

YAML_TEST = "testcases/test_cases.py::test_case"
NOT_FOUND = (4, 5)
"""pytest's exit statuses for a usage error and for no test collected."""
NOTIFY_VARIABLES = ("DINGTALK_ROBOT_WEBHOOK", "DINGTALK_ROBOT_TOKEN", "DINGTALK_ROBOT_URL", "DINGTALK_ROBOT_SECRET")


def pytest_args(test_id: str, results_dir: Path) -> list[str]:
    """The pytest command line that runs ``test_id`` alone, its Allure results in ``results_dir``."""
    if "::" in test_id:
        selection = [test_id]
    else:
        stem = test_id.split(":", 1)[0]
        selection = [f"{YAML_TEST}[{test_id}]", f"--case-file={stem}.yaml"]
    return [*selection, "-p", "no:xdist", "-q", "--no-header", f"--alluredir={results_dir}"]


def replay(test_id: str, out: Any = sys.stdout) -> int:
    """Run ``test_id`` again and print its exchanges and verdict; pytest's exit status."""
    environ = {name: value for name, value in os.environ.items() if name not in NOTIFY_VARIABLES}
    with tempfile.TemporaryDirectory(prefix="dingtalk-replay-") as scratch:
        results_dir = Path(scratch)
        command = [sys.executable, "-m", "pytest", *pytest_args(test_id, results_dir)]
        done = subprocess.run(command, cwd=PROJECT_ROOT, env=environ, capture_output=True, text=True, check=False)
        results = [json.loads(path.read_text(encoding="utf-8")) for path in results_dir.glob("*-result.json")]
        if done.returncode in NOT_FOUND or not results:
            print(f"重放 {test_id}：没有找到这个用例（用报告里的“用例 ID”，例如 blackboard:crud-flow）", file=out)
            print(_tail(done.stdout + done.stderr), file=out)
            return done.returncode or 5
        for result in results:
            print(f"重放 {result.get('name', test_id)}（{test_id}）", file=out)
            for line in exchange_lines(result, results_dir):
                print(line, file=out)
            print(verdict(result), file=out)
    return done.returncode


def exchange_lines(node: dict[str, Any], results_dir: Path, depth: int = 0) -> Iterator[str]:
    """Each step's title, then its request and response as attached (already masked), in order."""
    for step in node.get("steps", []):
        yield f"\n{'  ' * depth}== {step.get('name', '')} [{step.get('status', '')}]"
        for attachment in step.get("attachments", []):
            if attachment.get("name") in ("request", "response"):
                text = (results_dir / attachment["source"]).read_text(encoding="utf-8", errors="replace")
                yield f"-- {attachment['name']}\n{text.rstrip()}"
        yield from exchange_lines(step, results_dir, depth + 1)


def verdict(result: dict[str, Any]) -> str:
    """The outcome in one block: 通过, or the status and the error as the report shows it."""
    status = result.get("status", "unknown")
    if status == "passed":
        return "\n结果：通过"
    message = (result.get("statusDetails") or {}).get("message", "")
    return (
        f"\n结果：{ {'failed': '失败', 'broken': '损坏', 'skipped': '跳过'}.get(status, status) }\n{message}".rstrip()
    )


def _tail(text: str, lines: int = 3) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m common.report.replay",
        description="Send a case's requests again, with a fresh token, to the current target (DINGTALK_* settings).",
    )
    parser.add_argument("test_id", help="the report's 用例 ID (blackboard:crud-flow) or a pytest node id")
    return replay(parser.parse_args(argv).test_id)


if __name__ == "__main__":
    sys.exit(main())
