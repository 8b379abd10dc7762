"""`SandboxProcess`: `python -m sandbox --port 0` in a child process."""

import re
import urllib.error
import urllib.request

import pytest
import requests

from sandbox.process import SandboxProcess, SandboxStartError


def test_starts_on_a_free_port_answers_and_stops_cleanly() -> None:
    process = SandboxProcess(["--token-ttl", "60", "--appkey", "k", "--appsecret", "s"])
    with process:
        url = process.url
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url) and not url.endswith(":8000")
        assert requests.get(f"{url}/__sandbox/health", timeout=5).json() == {"status": "ok"}
        body = requests.get(f"{url}/gettoken", params={"appkey": "k", "appsecret": "s"}, timeout=5).json()
        assert (body["errcode"], body["expires_in"]) == (0, 60)
    assert process.stop() is None  # already stopped by the with-block
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{url}/__sandbox/health", timeout=2)


def test_sigterm_ends_the_process_with_exit_code_0() -> None:
    process = SandboxProcess().start()
    assert process.stop() == 0
    with pytest.raises(RuntimeError):
        _ = process.url


def test_a_process_that_never_prints_its_url_is_a_clear_error() -> None:
    with pytest.raises(SandboxStartError, match="instead of its URL"):
        SandboxProcess(["--no-such-option"]).start()
