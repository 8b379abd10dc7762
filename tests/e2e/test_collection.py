"""Every case file of data/ runs with no Python added, and cases are selected by their tags, feature and
severity as pytest markers."""

from __future__ import annotations

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


def test_a_new_case_file_runs_with_no_python_and_its_id_names_file_and_case(project: Project) -> None:
    (project.root / "data" / "contact.yaml").write_text(CONTACT, encoding="utf-8")

    run = project.run("testcases/test_cases.py", "-q", "-rA", "--case-file=contact.yaml")

    assert run.returncode == 0, run.output
    assert "PASSED testcases/test_cases.py::test_case[contact:gettoken-needs-credentials]" in run.output, run.output
    assert "1 passed" in run.output


def test_tags_feature_and_severity_select_cases(project: Project) -> None:
    (project.root / "data" / "contact.yaml").write_text(CONTACT, encoding="utf-8")

    by_tag = project.run("-q", "--collect-only", "-m", "contacts")
    by_feature = project.run("-q", "--collect-only", "-m", "feature_contact and severity_critical")
    typo = project.run("-q", "--collect-only", "-m", "contcts")

    assert "1/" in by_tag.output and "test_case[contact:gettoken-needs-credentials]" in by_tag.output, by_tag.output
    assert "test_case[contact:gettoken-needs-credentials]" in by_feature.output, by_feature.output
    assert "1/" in by_feature.output, by_feature.output
    assert typo.returncode == 4, typo.output
    assert "-m 'contcts': no marker 'contcts'; the cases' markers are" in typo.output
    assert "Traceback" not in typo.output
