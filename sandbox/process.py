"""Run the sandbox as a child process (`python -m sandbox --port 0`), for test sessions and tools."""

import os
import queue
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Self

from sandbox.config import SandboxConfig
from sandbox.lifecycle import Runnable
from sandbox.settings import ENV_VAR, settings_text

READY_PREFIX = "DingTalk sandbox listening on "
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SandboxStartError(RuntimeError):
    """The child process died, or never announced its URL or answered its health check in time."""


def command_line(config: SandboxConfig) -> list[str]:
    """`config` as `python -m sandbox` flags, every run-time setting in `--faults`; a clock or a sleep function of
    its own cannot cross to a child process (ValueError)."""
    if config.clock is not time.time or config.sleep is not time.sleep:
        raise ValueError("a sandbox in a child process keeps its own clock and sleep; run it in process instead")
    flags = ["--appkey", config.appkey, "--appsecret", config.appsecret, "--faults", settings_text(config)]
    return [*flags, *(["--verbose"] if config.verbose else []), *(["--mutant", config.mutant] if config.mutant else [])]


def _read_first_line(stream: IO[str], lines: "queue.Queue[str]") -> None:
    lines.put(stream.readline())


class SandboxProcess(Runnable):
    """A sandbox in a child process; `url` is known once `start()` returns."""

    def __init__(
        self,
        args: Sequence[str] = (),
        startup_timeout: float = 15.0,
        grace: float = 5.0,
        mutant: str | None = None,
        config: SandboxConfig | None = None,
    ) -> None:
        """`mutant`: run a contract mutant (`--mutant`); without it the child reads DINGTALK_SANDBOX_MUTANT.

        `config`: the child's credentials and every run-time setting, as flags (`command_line`); the child then
        reads no DINGTALK_SANDBOX_FAULTS, the settings having been read once already."""
        self.args = [*(command_line(config) if config else []), *args, *(["--mutant", mutant] if mutant else [])]
        self._settings_given = config is not None
        self.startup_timeout = startup_timeout
        self.grace = grace
        self._proc: subprocess.Popen[str] | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("the sandbox process is not running; call start() first")
        return self._url

    def start(self) -> Self:
        command = [sys.executable, "-m", "sandbox", "--port", "0", *self.args]
        environ = {k: v for k, v in os.environ.items() if k != ENV_VAR} if self._settings_given else None
        self._proc = subprocess.Popen(command, cwd=PROJECT_ROOT, env=environ, stdout=subprocess.PIPE, text=True)
        deadline = time.monotonic() + self.startup_timeout
        try:
            self._url = self._await_url(self._proc, deadline)
            self._await_health(deadline)
        except BaseException:
            self.stop()
            raise
        return self

    def _await_url(self, proc: "subprocess.Popen[str]", deadline: float) -> str:
        assert proc.stdout is not None
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_read_first_line, args=(proc.stdout, lines), daemon=True).start()
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise SandboxStartError(
                f"`{' '.join(proc.args)}` printed no URL line within {self.startup_timeout:g} s"
            ) from None
        if not line.startswith(READY_PREFIX):
            code = proc.poll()
            raise SandboxStartError(f"the sandbox process printed {line!r} (exit code {code}) instead of its URL")
        return line[len(READY_PREFIX) :].strip()

    def _await_health(self, deadline: float) -> None:
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/__sandbox/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError) as error:
                last_error = error
            time.sleep(0.05)
        raise SandboxStartError(f"{self.url}/__sandbox/health did not answer: {last_error}")

    def stop(self) -> int | None:
        """Terminate the child, killing it if still alive after the grace period; its exit code."""
        proc, self._proc, self._url = self._proc, None, None
        if proc is None:
            return None
        proc.terminate()
        try:
            proc.wait(timeout=self.grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        return proc.returncode
