"""The whole API suite in live mode against a standalone sandbox, with a profile that pins no counts (as a new
user's live profile): it passes, the exact-count cases and the sandbox's own behaviour are skipped with their
reasons, and the closing line says what the run created and that no announcement was left behind."""

from __future__ import annotations

import re

from tests.e2e.harness import Project, RunningSandbox


def _without_counts(profile: str) -> str:
    """The sandbox profile as a live tenant's would be written: ids only, no `counts:` block."""
    kept, inside_counts = [], False
    for line in profile.splitlines():
        if line.startswith("counts:"):
            inside_counts = True
            continue
        if inside_counts and line.startswith("  "):
            continue
        inside_counts = False
        kept.append(line)
    return "\n".join(kept) + "\n"


def test_the_suite_passes_live_with_ids_only_and_skips_what_it_cannot_judge(
    project: Project, sandbox: RunningSandbox
) -> None:
    profile = project.root / "data" / "profiles" / "ids-only.yaml"
    profile.write_text(_without_counts((project.root / "data/profiles/sandbox.yaml").read_text("utf-8")), "utf-8")
    before = sandbox.stats()["objects"]["blackboard"]
    env = {**sandbox.environ(), "DINGTALK_PROFILE": "data/profiles/ids-only.yaml"}

    run = project.run("-n", "2", "-q", "-rs", env=env)

    assert run.returncode == 0, run.output
    assert "counts:" not in profile.read_text("utf-8")
    assert "does not pin counts." in run.output, run.output[-3000:]
    assert "the sandbox's own behaviour, not documented by DingTalk:" in run.output, run.output[-3000:]
    closing = re.search(r"run \S+ on the live tenant: created .*", run.output)
    assert closing is not None, run.output[-3000:]
    assert "LEFT BEHIND" not in closing.group(0)
    assert "announcement" in closing.group(0)
    assert sandbox.stats()["objects"]["blackboard"] == before
