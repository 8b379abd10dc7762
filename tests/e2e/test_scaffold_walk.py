"""The README's walk from a doc page's curl to passing cases: `python -m common.cases.scaffold` in a copy of the
project for an endpoint the project does not ship (/topapi/v2/user/get, DingTalk's page 查询用户详情), then `pytest`
there against the built-in sandbox, which answers the endpoint from the recorded example."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from common.cases.model import Case
from common.core.errors import CheckFailure
from sandbox import SandboxServer
from tests.e2e.harness import Project, RunningSandbox, direct_run

CURL = (
    "curl -X POST 'https://oapi.dingtalk.com/topapi/v2/user/get?access_token=ACCESS_TOKEN' \\\n"
    "  -H 'Content-Type: application/json' \\\n"
    '  -d \'{"userid":"zhangsan","language":"zh_CN"}\''
)
ANSWER = {  # the page's 返回示例, shortened
    "errcode": 0,
    "result": {
        "unionid": "z21HjQliSzpw0YWxxxxx",
        "boss": True,
        "role_list": [{"group_name": "职务", "name": "总监", "id": 100}],
        "admin": True,
        "title": "技术总监",
        "hired_date": 1597573616828,
        "userid": "zhangsan",
        "dept_id_list": [2, 3, 4],
        "leader_in_dept": [{"leader": True, "dept_id": 2}],
        "active": True,
        "name": "张三",
        "union_emp_ext": {},
    },
    "errmsg": "ok",
    "request_id": "u0ce7n9ttg1u",
}
IDS = ("v2-user-get", "v2-user-get-missing-token", "v2-user-get-missing-userid")


def test_a_doc_pages_curl_becomes_three_cases_that_pass_offline(project: Project, tmp_path: Path) -> None:
    """(A second scaffold of the same endpoint, refused in one line: tests/framework/test_scaffold.py.)"""
    project.keep_case_files()  # the new endpoint's cases alone: the runs below select them, the others are only read
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps(ANSWER, ensure_ascii=False, indent=2), encoding="utf-8")
    done = project.python("-m", "common.cases.scaffold", CURL, "--example", str(answer))
    assert done.returncode == 0, done.output
    for written in ("schemas/oapi/topapi/v2/user/get.json", "data/spec/examples/oapi/topapi/v2/user/get.json"):
        assert f"wrote {written}" in done.stdout
    assert "wrote data/user.yaml" in done.stdout

    # without the recorded example the sandbox says, in the failure, that it does not emulate the endpoint: the new
    # case run in this process against a sandbox loading the checkout's recordings, which do not have it
    with SandboxServer() as server:
        direct = direct_run(RunningSandbox(server.url), project.root, root=project.root)
        try:
            cases = direct.loader.load(project.root / "data" / "user.yaml")
            [success] = [case for case in cases if case.test_id == f"user:{IDS[0]}"]
            assert isinstance(success, Case), success
            with pytest.raises(CheckFailure, match="the sandbox does not emulate POST /topapi/v2/user/get"):
                direct.runner.run(success, uid="r-1")
        finally:
            direct.transport.close()

    run = project.run("-p", "no:benchmark", "-k", "v2-user-get", "-rA", "-q")
    assert run.returncode == 0, run.output
    passed = set(re.findall(r"^PASSED \S+\[user:(\S+)\]$", run.stdout, flags=re.M))  # ids: file:case
    assert passed == set(IDS), run.output
    assert re.search(r"\b3 passed\b", run.stdout), run.output
