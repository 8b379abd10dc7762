"""Every case file of data/ runs with no Python added, and cases are selected by their tags, feature and
severity as pytest markers."""

from __future__ import annotations

import re

from tests.e2e.harness import Project

MARKERS = "contacts and feature_contact and severity_critical"
"""A tag, a feature and a severity, as the README selects cases."""
SELECTED = "gettoken-needs-credentials"
CONTACT = f"""epic: 通讯录 Contacts
feature: contact
cases:
  - id: {SELECTED}
    title: a new group's first case
    severity: critical
    tags: [smoke, contacts]
    request: {{path: /gettoken, auth: none}}
    expect: {{errcode: 40035}}
  - id: without-the-tag
    title: the same feature and severity, not tagged contacts
    severity: critical
    tags: [smoke]
    request: {{path: /gettoken, auth: none}}
    expect: {{errcode: 40035}}
  - id: of-another-severity
    title: the same feature and tag, not critical
    severity: minor
    tags: [contacts]
    request: {{path: /gettoken, auth: none}}
    expect: {{errcode: 40035}}
"""
"""A new group's case file: one case has the tag, the feature and the severity of MARKERS, each of the others lacks
one of them."""
OF_ANOTHER_FEATURE = """
  - id: of-another-feature
    title: the same tag and severity, in another group's file
    severity: critical
    tags: [contacts]
    request: {path: /gettoken, auth: none}
    expect: {errcode: 40035}
"""
"""A case for auth.yaml that lacks only the feature of MARKERS."""


def test_a_new_case_file_runs_with_no_python_and_its_case_is_selected_by_tag_feature_and_severity(
    project: Project,
) -> None:
    project.keep_case_files("auth")  # the others to select among
    project.add_cases("auth.yaml", OF_ANOTHER_FEATURE)
    (project.root / "data" / "contact.yaml").write_text(CONTACT, encoding="utf-8")

    run = project.run("testcases/test_cases.py", "-q", "-rA", "-m", MARKERS)

    assert run.returncode == 0, run.output
    assert f"PASSED testcases/test_cases.py::test_case[contact:{SELECTED}]" in run.output, run.output
    assert re.search(r"\b1 passed, \d+ deselected\b", run.output), run.output  # every case lacking a marker is left out


def test_a_misspelt_marker_is_one_line(project: Project) -> None:
    project.keep_case_files("auth")

    typo = project.run("-q", "--collect-only", "-m", "contcts")

    assert typo.returncode == 4, typo.output
    assert "-m 'contcts': no marker 'contcts'; the cases' markers are" in typo.output
    assert "Traceback" not in typo.output
