"""A malformed YAML file the project reads stops the run at start-up with one line per mistake, never with an
INTERNALERROR or a traceback."""

from __future__ import annotations

from tests.e2e.harness import Project

GETTOKEN = "{api: oapi, method: GET, path: /gettoken, group: auth,"
GET = "{api: oapi, method: POST, path: /topapi/blackboard/get, group: blackboard}"


def test_a_malformed_endpoint_spec_stops_collection_with_its_lines(project: Project) -> None:
    spec = project.root / "data" / "spec" / "endpoints.yaml"
    text = spec.read_text(encoding="utf-8")
    lines = text.splitlines()
    gettoken_line = next(number for number, line in enumerate(lines, 1) if GETTOKEN in line)
    get_line = next(number for number, line in enumerate(lines, 1) if GET in line)
    broken = text.replace(GETTOKEN, GETTOKEN.replace("group: auth", "group: [auth]")).replace(
        GET, GET.replace("POST", "FETCH")
    )
    spec.write_text(broken, encoding="utf-8")

    run = project.run("--collect-only", "-q")

    assert run.returncode == 4, run.output  # a usage error: nothing ran
    assert f"data/spec/endpoints.yaml:{gettoken_line} [0].group: must be a string, got ['auth']" in run.output
    method = "[4].method: must be one of GET, POST, PUT, PATCH, DELETE; got 'FETCH'"
    assert f"data/spec/endpoints.yaml:{get_line} {method}" in run.output
    assert "INTERNALERROR" not in run.output
    assert "Traceback" not in run.output
