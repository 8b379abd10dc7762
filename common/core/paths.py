"""Where the project's folders and files are: the one place that knows them."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
SCHEMA_DIR = PROJECT_ROOT / "schemas"
REPORTS_DIR = PROJECT_ROOT / "reports"
DEFAULT_ALLURE_DIR = REPORTS_DIR / "allure-results"
DOCS_DIR = PROJECT_ROOT / "docs"
ENDPOINT_SPEC = DATA_DIR / "spec" / "endpoints.yaml"
EXAMPLE_PROFILE = DATA_DIR / "profiles" / "live.example.yaml"
SANDBOX_PROFILE = DATA_DIR / "profiles" / "sandbox.yaml"
LIVE_RULES = DATA_DIR / "live" / "safety.yaml"
SWEEP_SPEC = DATA_DIR / "live" / "sweep.yaml"
CACHE_DIR = PROJECT_ROOT / ".dingtalk-cache"
"""What runs keep for later runs (git ignores it): case files as parsed (``yaml/``, see ``common.cases.yaml_cache``)
and the response schemas found to be usable JSON Schemas (``schemas/``, see ``common.cases.schemas``)."""
YAML_CACHE_DIR = CACHE_DIR / "yaml"
SCHEMA_CHECK_DIR = CACHE_DIR / "schemas"
README = PROJECT_ROOT / "README.md"
README_ZH = PROJECT_ROOT / "README.zh-CN.md"


def shown(path: Path) -> str:
    """``path`` as users see it: relative to the project when inside it."""
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)
