"""`--log-file` under xdist: every process's lines end up in the one file, none overwritten."""

from __future__ import annotations

import re

from tests.e2e.harness import Project, RunningSandbox

REQUEST_LINE = re.compile(r'"(GET|POST) /\S* HTTP/1\.1" \d{3} ')


def test_the_log_file_holds_every_request_of_every_worker(project: Project, sandbox: RunningSandbox) -> None:
    args = ("-n", "2", "-q", "-k", "hrm or checkin", "--log-file=reports/run.log", "--log-file-level=DEBUG")
    run = project.run(*args, env=sandbox.environ(allow_writes=False))
    assert run.returncode == 0, run.output
    logged = REQUEST_LINE.findall((project.reports / "run.log").read_text(encoding="utf-8"))
    assert len(logged) == sandbox.stats()["total"] > 20
