"""Every case file of data/ runs with no Python added, and cases are selected by their tags, feature and
severity as pytest markers."""

from __future__ import annotations

import re

from tests.e2e.harness import Project

CONTACT = """epic: 通讯录 Contacts
feature: contact
cases:
  - id: gettoken-needs-credentials
    title: a new group's first case
    severity: critical
    tags: [smoke, contacts]
    request: {path: /gettoken, auth: none}
    expect: {errcode: 40035}
"""


def test_a_new_case_file_runs_with_no_python_and_its_case_is_selected_by_its_tag(project: Project) -> None:
    project.keep_case_files("auth")  # the others to select among
    (project.root / "data" / "contact.yaml").write_text(CONTACT, encoding="utf-8")

    run = project.run("testcases/test_cases.py", "-q", "-rA", "-m", "contacts")

    assert run.returncode == 0, run.output
    assert "PASSED testcases/test_cases.py::test_case[contact:gettoken-needs-credentials]" in run.output, run.output
    assert re.search(r"\b1 passed, \d+ deselected\b", run.output), run.output  # among all the others


def test_feature_and_severity_select_cases_and_a_misspelt_marker_is_one_line(project: Project) -> None:
    project.keep_case_files("auth")  # the others to select among
    (project.root / "data" / "contact.yaml").write_text(CONTACT, encoding="utf-8")

    by_feature = project.run("-q", "--collect-only", "-m", "feature_contact and severity_critical")
    typo = project.run("-q", "--collect-only", "-m", "contcts")

    assert "test_case[contact:gettoken-needs-credentials]" in by_feature.output, by_feature.output
    assert "1/" in by_feature.output, by_feature.output
    assert typo.returncode == 4, typo.output
    assert "-m 'contcts': no marker 'contcts'; the cases' markers are" in typo.output
    assert "Traceback" not in typo.output
