"""The endpoint coverage table: for each endpoint the spec documents, how many cases test it and how.

python -m common.cases.coverage            print the table (Markdown)
python -m common.cases.coverage --write    refresh the table in README.md between its markers
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from common.cases.endpoints import Endpoint, load_spec
from common.cases.loader import CaseLoader, expects_error
from common.cases.model import Case
from common.cases.profile import load_profile
from common.cases.schemas import SchemaStore
from common.cases.yaml_cache import ParseCache
from common.core.paths import PROJECT_ROOT, README, README_ZH, SANDBOX_PROFILE, YAML_CACHE_DIR

PROFILE_FILE = SANDBOX_PROFILE
START, END = "<!-- coverage:start -->", "<!-- coverage:end -->"


@dataclass(frozen=True)
class Coverage:
    """What the cases do with one endpoint."""

    endpoint: Endpoint
    positive: int
    negative: int
    flows: int
    has_schema: bool

    @property
    def covered(self) -> bool:
        """Tested on its success path (by a case or by the framework itself) and on a failure path."""
        success = self.positive > 0 or bool(self.endpoint.covered_by)
        return success and self.negative > 0 and self.has_schema


def load_cases(root: Path = PROJECT_ROOT) -> list[Case]:
    """Every valid case under data/ (invalid ones are the test run's business, not the table's), read through the
    parse cache as the suite reads them."""
    schemas = SchemaStore(root / "schemas")
    profile = load_profile(PROFILE_FILE, "data/profiles/sandbox.yaml")
    loader = CaseLoader(schemas, profile, root, read=ParseCache(YAML_CACHE_DIR).read)
    cases = (case for path in sorted((root / "data").glob("*.yaml")) for case in loader.load(path))
    return [case for case in cases if isinstance(case, Case)]


def measure(spec: list[Endpoint], cases: list[Case], schemas: SchemaStore) -> list[Coverage]:
    """Count, per endpoint, the cases whose steps call it, expecting success or an error."""
    rows = []
    for endpoint in spec:
        positive = negative = flows = 0
        for case in cases:
            steps = [s for s in case.steps if (s.request.api, s.request.path) == (endpoint.api, endpoint.path)]
            if not steps:
                continue
            if len(case.steps) > 1:
                flows += 1
            if any(expects_error(step.expect) for step in steps):
                negative += 1
            if any(not expects_error(step.expect) for step in steps):
                positive += 1
        has_schema = schemas.has(SchemaStore.success_schema(endpoint.api, endpoint.path))
        rows.append(Coverage(endpoint, positive, negative, flows, has_schema))
    return rows


def render(rows: list[Coverage]) -> str:
    """The Markdown table."""
    lines = [
        "| group | endpoint | success cases | failure cases | in a flow | schema |",
        "|---|---|---:|---:|---:|:---:|",
    ]
    for row in rows:
        endpoint = row.endpoint
        positive = str(row.positive) if not endpoint.covered_by else f"{row.positive} + {endpoint.covered_by}"
        lines.append(
            f"| {endpoint.group} | `{endpoint.method} {endpoint.path}` ({endpoint.api}) | {positive} | "
            f"{row.negative} | {row.flows} | {'yes' if row.has_schema else '**no**'} |"
        )
    covered = sum(row.covered for row in rows)
    lines.append("")
    lines.append(f"{covered} of {len(rows)} documented endpoints covered (success, failure and schema).")
    return "\n".join(lines)


def replace_table(readme: str, table: str) -> str:
    """README text with the table between the markers replaced."""
    head, found, rest = readme.partition(START)
    if not found or END not in rest:
        raise SystemExit(f"README.md has no {START} … {END} markers")
    return f"{head}{START}\n{table}\n{END}{rest.split(END, 1)[1]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="refresh the table in README.md and README.zh-CN.md")
    args = parser.parse_args(argv)
    table = render(measure(load_spec(), load_cases(), SchemaStore(PROJECT_ROOT / "schemas")))
    if args.write:
        for readme in (README, README_ZH):
            if readme.is_file():
                readme.write_text(replace_table(readme.read_text(encoding="utf-8"), table), encoding="utf-8")
    else:
        sys.stdout.write(table + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
