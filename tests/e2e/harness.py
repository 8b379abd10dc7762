"""Running the real API suite as a user would: `pytest` in a copy of the project, against a sandbox; and, for a claim
about one case that needs no pytest run, the suite's case runner built in the test's own process."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from common.cases.loader import CaseLoader
from common.cases.profile import load_profile
from common.cases.schemas import SchemaStore
from common.cases.yaml_source import YamlSyntaxError
from common.core.errors import ConfigError
from common.core.paths import DATA_DIR, SCHEMA_CHECK_DIR, SCHEMA_DIR, YAML_CACHE_DIR
from common.dingtalk.api import DingTalkClient
from common.dingtalk.run_client import run_client
from common.dingtalk.settings import load_settings
from common.http.masking import Masker
from common.http.requests_transport import HttpTransport
from common.report.allure import AllureReporter
from common.run.runner import CaseRunner
from sandbox.config import DEFAULT_APPKEY, DEFAULT_APPSECRET
from sandbox.faults import FaultSettings
from tests.case_files import yaml_data

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SUITE_PARTS = ("common", "sandbox", "schemas", "data", "testcases", "conftest.py", "pytest.ini")
SANDBOX_RUN = "sandbox-run"
"""The xdist group of the tests reading ``sandbox_run``."""
LIVE_READ_ONLY_RUN = "live-read-only-run"
"""The xdist group of the tests reading ``live_read_only_run``."""
LIVE_WRITING_RUN = "live-writing-run"
"""The xdist group of the tests reading ``live_writing_run``."""
YAML_CASES = "testcases/test_cases.py"
"""The module that runs every YAML case (the hand-written examples beside it are left out of these counts)."""
FAR_FROM_CHINA = "America/Los_Angeles"
"""A machine zone 15 or 16 hours behind China time."""


UNLIMITED = {"DINGTALK_QPS": "0", "DINGTALK_SANDBOX_FAULTS": "qps=0"}
"""Runs on the built-in sandbox go without the per-second limits (the client's and the sandbox's): waiting for
them is only latency here; tests/e2e/test_resilience.py and tests/sandbox/test_qps.py test the limits."""
FLAKY_DINGTALK = FaultSettings(latency_ms=20, busy=0.05, rate_limited=0.05, qps=20)
"""5 % of calls answered busy and 5 % rate limited, each 20 ms slower, and DingTalk's limit of 20 calls per API
per second: with 3 retries one call in 10 000 would still fail, one run in ~20; RETRIES_UNDER_FAULTS make that one
in a million calls, so that a run shows the mechanism rather than luck."""
RETRIES_UNDER_FAULTS = {"DINGTALK_RETRIES": "5", "DINGTALK_RETRY_BACKOFF": "0.05"}
REPORT_PARTS = ("package.json", "package-lock.json", "allurerc.mjs", "tools/report-data-first.mjs")
"""What `npm run report` needs besides node_modules, which is linked from the checkout (after `npm ci`)."""


@dataclass(frozen=True)
class SuiteRun:
    """The outcome of one `pytest` run of the API suite."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@dataclass(frozen=True)
class Project:
    """A throwaway copy of the project that tests may edit."""

    root: Path
    bytecode: Path | None = None
    """The test session's folder for the compiled Python of the runs here (their PYTHONPYCACHEPREFIX), so that a
    module is compiled once, not by every process; None: every process compiles afresh."""

    def run(self, *args: str, env: dict[str, str] | None = None, timeout: float = 240) -> SuiteRun:
        """Run the API suite here, with a clean DINGTALK_* environment plus ``env``."""
        return self.python("-m", "pytest", "-p", "no:cacheprovider", *args, env=env, timeout=timeout)

    def python(self, *args: str, env: dict[str, str] | None = None, timeout: float = 240) -> SuiteRun:
        """Run ``python *args`` here (e.g. ``-m common.live.sweep``), with a clean DINGTALK_* environment + ``env``;
        on the built-in sandbox (``env`` names no target) with no per-second limit unless ``env`` sets one."""
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("DINGTALK_", "PYTEST_"))}
        if "DINGTALK_TARGET" not in (env or {}):
            environ.update(UNLIMITED)
        environ.update(env or {})
        if self.bytecode is not None:
            environ.pop("PYTHONDONTWRITEBYTECODE", None)
            environ["PYTHONPYCACHEPREFIX"] = str(self.bytecode)
        command = [sys.executable, *args]
        done = subprocess.run(command, cwd=self.root, env=environ, capture_output=True, text=True, timeout=timeout)
        return SuiteRun(done.returncode, done.stdout, done.stderr)

    def keep_case_files(self, *stems: str) -> None:
        """Remove every case file of data/ but ``stems`` (e.g. "auth"): a small suite, for a claim about how the
        framework runs cases rather than about the shipped ones."""
        for data in (self.root / "data").glob("*.yaml"):
            if data.stem not in stems:
                data.unlink()

    def add_cases(self, file_name: str, yaml_text: str) -> None:
        """Append cases (YAML list items) to a data file."""
        path = self.root / "data" / file_name
        path.write_text(path.read_text(encoding="utf-8") + yaml_text, encoding="utf-8")

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    def allure_results(self) -> list[dict]:
        """The Allure results written here, one per test."""
        return [json.loads(path.read_text("utf-8")) for path in (self.reports / "allure-results").glob("*-result.json")]

    def generate_report(self, timeout: float = 120) -> SuiteRun:
        """`npm run report` here: reports/allure-results become reports/allure-report/index.html."""
        for part in REPORT_PARTS:
            (self.root / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT_ROOT / part, self.root / part)
        node_modules = self.root / "node_modules"
        if not node_modules.exists():
            node_modules.symlink_to(PROJECT_ROOT / "node_modules", target_is_directory=True)
        done = subprocess.run(["npm", "run", "report"], cwd=self.root, capture_output=True, text=True, timeout=timeout)
        return SuiteRun(done.returncode, done.stdout, done.stderr)


def copy_project(destination: Path, bytecode: Path | None = None) -> Project:
    """A copy of the suite's files in ``destination``, its runs' compiled Python kept in ``bytecode`` (see
    ``Project.bytecode``), starting from the session's ``shared_bytecode``; reports/ starts empty."""
    for part in SUITE_PARTS:
        source = PROJECT_ROOT / part
        if source.is_dir():
            shutil.copytree(source, destination / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, destination / part)
    if bytecode is not None:
        shared = shared_bytecode(bytecode)
        for compiled in shared.rglob("*.pyc"):
            linked = bytecode / destination.resolve().relative_to(destination.anchor) / compiled.relative_to(shared)
            linked.parent.mkdir(parents=True, exist_ok=True)
            os.link(compiled, linked)
    for folder in shared_cache():
        shutil.copytree(folder, destination / folder.relative_to(PROJECT_ROOT), dirs_exist_ok=True)
    return Project(destination, bytecode)


@functools.cache
def shared_cache() -> tuple[Path, ...]:
    """The folders of the checkout's ``.dingtalk-cache/`` holding a note for every response schema that passes the
    metaschema check and the parse of every shipped case file, made once per process: a copy starts with them (as a
    checkout's second run does), so that each copy's runs do not check and parse afresh what every copy shares.
    Their entries are keyed by the bytes they came from: a schema or case file a test edits is checked or parsed
    again in its copy."""
    schemas = SchemaStore(SCHEMA_DIR)
    for name in sorted(schemas.names):
        with contextlib.suppress(ConfigError):  # a broken schema: the copy's run reports it, as the checkout's would
            schemas.validator(name)
    for case_file in sorted(DATA_DIR.glob("*.yaml")):
        with contextlib.suppress(YamlSyntaxError):
            yaml_data(case_file)
    return tuple(folder for folder in (SCHEMA_CHECK_DIR, YAML_CACHE_DIR) if folder.is_dir())


COMPILED_ONCE = ("common", "sandbox")
"""The packages whose compiled Python the project copies of a test session share."""


def shared_bytecode(bytecode: Path) -> Path:
    """The checkout's COMPILED_ONCE packages compiled once per test session under ``bytecode``, by path from the
    project root. Python checks a compiled file against its source's modification time and size, which a copy keeps
    (shutil.copy2): a copy's first run then compiles only what its test changed. A source edited since is compiled
    again for the copy, written beside (a new file), never over the shared one."""
    shared = bytecode / "shared"
    if shared.is_dir():
        return shared
    bytecode.mkdir(parents=True, exist_ok=True)
    _link_installed_bytecode(bytecode)
    building = Path(tempfile.mkdtemp(prefix="shared-", dir=bytecode))
    for package in COMPILED_ONCE:
        for source in (PROJECT_ROOT / package).rglob("*.py"):
            relative = source.relative_to(PROJECT_ROOT)
            compiled = building / relative.parent / f"{relative.stem}.{sys.implementation.cache_tag}.pyc"
            try:
                py_compile.compile(str(source), cfile=str(compiled), doraise=True)
            except py_compile.PyCompileError:
                continue  # a source mid-edit: each copy compiles it itself
    try:
        building.rename(shared)
    except OSError:  # another worker of this session put its own there first
        shutil.rmtree(building)
    return shared


def _link_installed_bytecode(bytecode: Path) -> None:
    """Link the compiled files of the installed modules this process has loaded (the standard library, pytest,
    requests…), beside them, to where the runs' PYTHONPYCACHEPREFIX looks for them: else a session's first runs
    would each compile them again."""
    for module in list(sys.modules.values()):
        spec = getattr(module, "__spec__", None)
        if spec is None or not spec.origin or not spec.cached or Path(spec.origin).is_relative_to(PROJECT_ROOT):
            continue
        installed, source = Path(spec.cached), Path(spec.origin)
        if installed.is_file():
            linked = bytecode / source.parent.relative_to(source.anchor) / installed.name
            linked.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(installed, linked)
            except FileExistsError:  # linked by another worker of this session
                continue
            except OSError:  # another filesystem (a /tmp in memory): the runs compile what they import
                return


@dataclass(frozen=True)
class RunningSandbox:
    """A sandbox started by the test, so its stats can be read after the suite ends."""

    url: str

    def stats(self) -> dict:
        """The sandbox's call counts and object counts."""
        return requests.get(f"{self.url}/__sandbox/stats", timeout=5).json()

    def environ(self, allow_writes: bool = True) -> dict[str, str]:
        """Settings that point the suite at this sandbox through the live target's configuration."""
        return {
            "DINGTALK_TARGET": "live",
            "DINGTALK_OAPI_URL": self.url,
            "DINGTALK_API_URL": self.url,
            "DINGTALK_APPKEY": DEFAULT_APPKEY,
            "DINGTALK_APPSECRET": DEFAULT_APPSECRET,
            "DINGTALK_PROFILE": "data/profiles/sandbox.yaml",
            "DINGTALK_ALLOW_WRITES": "1" if allow_writes else "0",
        }


class SteppingClock:
    """Real time plus a small step at every reading: a sandbox on it expires its tokens after so many calls, however
    often the run renews them by real time."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.ahead = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            self.ahead += self.step
            return time.time() + self.ahead


@dataclass(frozen=True)
class LiveRun:
    """A run on a sandbox serving as the live tenant: the run, the tokens the sandbox issued during it, the robot's
    messages, the sandbox's stats after it and its announcements before it."""

    project: Project
    run: SuiteRun
    issued: tuple[str, ...]
    robot_messages: list[dict]
    stats: dict
    announcements_before: int


@dataclass(frozen=True)
class DirectRun:
    """The suite's client and case runner, built in this process against a running sandbox as the live host."""

    transport: HttpTransport
    client: DingTalkClient
    loader: CaseLoader
    runner: CaseRunner


def direct_run(sandbox: RunningSandbox, folder: Path, root: Path = PROJECT_ROOT) -> DirectRun:
    """A runner for the case files in ``folder`` (its token file there too), on the sandbox's tenant profile and the
    response schemas of the project at ``root``."""
    settings = load_settings(PROJECT_ROOT, environ=sandbox.environ())
    masker = Masker([settings.appsecret])
    schemas = SchemaStore(root / "schemas")
    transport = HttpTransport(settings.timeout, masker)
    transport.session.trust_env = False
    client = run_client(settings, transport, masker, schemas, folder / "token.json")
    profile = load_profile(settings.profile_path, "sandbox.yaml")
    runner = CaseRunner(
        client, schemas, AllureReporter(masker), masker, {"run_id": "r", "profile": profile, "appkey": "k"}
    )
    return DirectRun(transport, client, CaseLoader(schemas, profile, folder), runner)
