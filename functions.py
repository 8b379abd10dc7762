"""The project's own template functions, called in YAML cases as ``${name(arguments)}``.

Every function decorated with ``@template_function`` here is available to every case; its arguments are literals
(``12``, ``'text'``, ``true``, ``null``) or variable references (``profile.test_userids``, ``bb_id``), checked at
collection against the signature below. See "Functions of your own" in README.md and docs/case-format.md.
No shipped case uses this example: it only shows the form.
"""

from __future__ import annotations

from common.cases.functions import template_function


@template_function
def csv(values: list, separator: str = ",") -> str:
    """The items as one text, e.g. ``${csv(profile.test_userids)}`` for a comma-separated userid list."""
    return separator.join(str(value) for value in values)
