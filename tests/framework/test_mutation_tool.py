"""tools/mutation.py: the score counts timeouts as caught and leaves the equivalent mutants out, and an equivalent
that no longer matches its mutant is reported (mutmut itself is not run here)."""

from __future__ import annotations

from tools.mutation import Equivalent, Score, added_lines, score, stale_equivalents

DIFF = """\
--- common/cases/comparators.py
+++ common/cases/comparators.py
@@ -1,3 +1,3 @@
 def _short(value: Any, limit: int = 200) -> str:
     text = repr(value)
-    return text if len(text) <= limit else text[:limit] + "…"
+    return text if len(text) < limit else text[:limit] + "…"
"""
CHANGED = 'return text if len(text) < limit else text[:limit] + "…"'


def test_the_added_lines_of_a_diff_leave_out_its_header() -> None:
    assert added_lines(DIFF) == CHANGED
    assert added_lines("--- a\n+++ a\n-x = 1\n+x = 2\n+y = 3") == "x = 2 y = 3"


def test_the_score_counts_timeouts_as_caught_and_leaves_out_the_equivalent() -> None:
    statuses = {"a": "killed", "b": "timeout", "c": "survived", "d": "no tests", "e": "survived"}
    assert score(statuses, {"e"}) == Score(caught=2, counted=4)
    assert score(statuses, {"e"}).percent == 50.0
    assert score({}, set()).percent == 100.0


def test_an_equivalent_that_still_survives_as_listed_is_not_stale() -> None:
    listed = Equivalent("m__mutmut_6", CHANGED, "why")
    assert stale_equivalents([listed], {"m__mutmut_6": "survived"}, {"m__mutmut_6": DIFF}) == []


def test_an_equivalent_that_is_gone_caught_or_changed_is_stale() -> None:
    gone, caught, changed = (Equivalent(f"m__mutmut_{n}", CHANGED, "why") for n in (1, 2, 3))
    statuses = {"m__mutmut_2": "killed", "m__mutmut_3": "survived"}
    diffs = {"m__mutmut_3": "--- a\n+++ a\n-x = 1\n+x = 2"}
    assert stale_equivalents([gone, caught, changed], statuses, diffs) == [
        "m__mutmut_1: no such mutant any more; remove it from EQUIVALENT",
        "m__mutmut_2: killed, so not equivalent; remove it from EQUIVALENT",
        f"m__mutmut_3: now changes the code to 'x = 2', not {CHANGED!r}; check it again and update EQUIVALENT",
    ]
