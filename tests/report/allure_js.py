"""Allure 3's own code, run by node, as the judge of what the suite writes: its properties parser (the
environment) and its category matcher (the failure categories)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.e2e.harness import PROJECT_ROOT

_PARSE_PROPERTIES = """
import { readFileSync } from "node:fs";
const { parseProperties } = await import(process.argv[1]);
process.stdout.write(JSON.stringify(parseProperties(readFileSync(process.argv[2], "utf8"))));
"""
_MATCH_CATEGORIES = """
import { readFileSync } from "node:fs";
import { matchCategory, normalizeCategoriesConfig } from "@allurereport/core-api";
const { rules, failures } = JSON.parse(readFileSync(0, "utf8"));
const categories = normalizeCategoriesConfig(rules);
const names = failures.map(({ status, message, labels }) =>
  matchCategory(categories, { status, message, labels, flaky: false })?.name ?? null);
process.stdout.write(JSON.stringify(names));
"""
PROPERTIES_PARSER = PROJECT_ROOT / "node_modules" / "@allurereport" / "reader" / "dist" / "properties.js"


def _node(script: str, *args: str, stdin: str = "") -> Any:
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script, *args],
        cwd=PROJECT_ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def read_properties(path: Path) -> dict[str, str]:
    """The names and values Allure's report shows for a properties file."""
    return _node(_PARSE_PROPERTIES, PROPERTIES_PARSER.as_uri(), str(path))


def categories_of(
    rules: list[dict[str, Any]], failures: list[tuple[str, str, tuple[tuple[str, str], ...]]]
) -> list[str | None]:
    """The category Allure 3 puts each ``(status, message, labels)`` in, given ``categories.json``'s rules."""
    payload = {
        "rules": rules,
        "failures": [
            {"status": status, "message": message, "labels": [{"name": name, "value": value} for name, value in labels]}
            for status, message, labels in failures
        ],
    }
    return _node(_MATCH_CATEGORIES, stdin=json.dumps(payload))
