"""The HTTP layer: malformed input never gives a 5xx, keep-alive, concurrency, stats, reset and logging."""

import http.client
import json
import socket
import threading
from typing import Any

import pytest
import requests

from sandbox import SandboxConfig, SandboxServer
from sandbox.testing import FakeClock, SandboxClient

CREATE = "/topapi/blackboard/create"
LISTIDS = "/topapi/blackboard/listids"
CATEGORIES = "/topapi/blackboard/category/list"
SEEDED = 45
Json = dict[str, Any]


def flat_error(response: requests.Response) -> Json:
    """A DingTalk old-host error: HTTP 200, JSON, nonzero errcode and an errmsg."""
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json;charset=utf-8"
    body = response.json()
    assert body["errcode"] != 0 and body["errmsg"]
    return body


def post_raw(api: SandboxClient, path: str, data: bytes, content_type: str = "application/json") -> requests.Response:
    return api.raw("POST", path, params={"access_token": api.token}, data=data, headers={"Content-Type": content_type})


@pytest.mark.parametrize(
    "data", [b"{", b"not json", b"\xff\xfe", b"[1, 2]", b'"text"', b"null", b"[" * 100_000, b'{"a": 1e999999}']
)
def test_bad_json_is_a_flat_error(api: SandboxClient, data: bytes) -> None:
    flat_error(post_raw(api, CATEGORIES, data))


def test_wrong_content_type_is_43004(api: SandboxClient) -> None:
    body = b'{"operation_userid": "manager4220"}'
    for content_type in ("text/plain", "application/x-www-form-urlencoded", ""):
        assert flat_error(post_raw(api, CATEGORIES, body, content_type))["errcode"] == 43004
    assert post_raw(api, CATEGORIES, body, "application/json; charset=utf-8").json()["errcode"] == 0


def test_wrong_http_method_is_43001_or_43002(api: SandboxClient) -> None:
    get_create = api.raw("GET", CREATE, params={"access_token": api.token})
    assert flat_error(get_create)["errcode"] == 43002
    assert flat_error(api.raw("POST", "/gettoken", params={"appkey": "k", "appsecret": "s"}))["errcode"] == 43001
    for method in ("PUT", "DELETE", "PATCH", "OPTIONS"):
        assert flat_error(api.raw(method, CREATE, params={"access_token": api.token}))["errcode"] == 43002
    head = api.raw("HEAD", CREATE, params={"access_token": api.token})
    assert head.status_code == 200 and head.content == b""


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (LISTIDS, {"query_request": {"operation_userid": "manager4220", "page": 1, "page_size": "abc"}}),
        (LISTIDS, {"query_request": {"operation_userid": "manager4220", "page": 1.5, "page_size": 10}}),
        (LISTIDS, {"query_request": {"operation_userid": "manager4220", "page": True, "page_size": 10}}),
        (LISTIDS, {"query_request": "page=1"}),
        (LISTIDS, {"query_request": {"operation_userid": ["manager4220"], "page": 1, "page_size": 10}}),
        (CREATE, {"create_request": {"operation_userid": "manager4220", "title": 5, "content": "c",
                                     "blackboard_receiver": {"userid_list": ["manager7078"]}}}),
        (CREATE, {"create_request": {"operation_userid": "manager4220", "title": "t", "content": "c",
                                     "blackboard_receiver": {"deptid_list": 1}}}),
        (CREATE, {"create_request": {"operation_userid": "manager4220", "title": "t", "content": "c",
                                     "blackboard_receiver": {"userid_list": [1, 2]}}}),
        (CREATE, {"create_request": {"operation_userid": "manager4220", "title": "t", "content": "c",
                                     "blackboard_receiver": {"deptid_list": ["研发部"]}}}),
        (CREATE, {"create_request": {"operation_userid": "manager4220", "title": "t", "content": "c",
                                     "blackboard_receiver": ["manager7078"]}}),
        (CREATE, {"create_request": {"operation_userid": "manager4220", "title": "t", "content": "c",
                                     "private_level": "high",
                                     "blackboard_receiver": {"userid_list": ["manager7078"]}}}),
        (CREATE, {"create_request": {"operation_userid": "manager4220", "title": "t", "content": "c",
                                     "ding": "yes", "blackboard_receiver": {"userid_list": ["manager7078"]}}}),
        (CATEGORIES, {"operation_userid": 4220}),
        ("/topapi/blackboard/listtopten", {"userid": {"id": 1}}),
    ],
)  # fmt: skip
def test_wrong_field_types_are_flat_errors(api: SandboxClient, path: str, body: Json) -> None:
    flat_error(post_raw(api, path, json.dumps(body).encode()))


def test_numbers_sent_as_digit_strings_are_accepted(api: SandboxClient) -> None:
    query = {"operation_userid": "manager4220", "page": "1", "page_size": "10"}
    assert len(api.post(LISTIDS, {"query_request": query})["result"]) == 10


def _raw_exchange(sandbox: SandboxServer, request: bytes) -> bytes:
    """Send bytes on a fresh socket and read until the server closes it."""
    host, port = sandbox.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET / HTTP/1.1 extra\r\n\r\n",
        b"FOO /topapi/blackboard/get HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"POST /topapi/blackboard/get HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"POST /topapi/blackboard/get HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n",
        b"POST /topapi/blackboard/get HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ],
)
def test_broken_http_is_answered_4xx_with_json_and_closed(sandbox: SandboxServer, request_bytes: bytes) -> None:
    answer = _raw_exchange(sandbox, request_bytes)
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split()[1])
    assert 400 <= status < 500
    assert json.loads(body)["errcode"] != 0


def test_keep_alive_serves_two_requests_on_one_connection(sandbox: SandboxServer) -> None:
    host, port = sandbox.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        conn.request("GET", "/__sandbox/health")
        first = conn.getresponse()
        assert json.loads(first.read()) == {"status": "ok"}
        sock = conn.sock
        conn.request("GET", "/gettoken?appkey=sandbox-appkey&appsecret=sandbox-appsecret")
        second = conn.getresponse()
        assert json.loads(second.read())["errcode"] == 0
        assert conn.sock is sock is not None
        assert second.getheader("Content-Length") is not None
    finally:
        conn.close()


def test_connection_close_is_honoured(sandbox: SandboxServer) -> None:
    answer = _raw_exchange(sandbox, b"GET /__sandbox/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200")
    assert b"Connection: close" in answer and answer.endswith(b'{"status": "ok"}')


def test_concurrent_creates_lose_nothing(api: SandboxClient, sandbox: SandboxServer) -> None:
    threads, per_thread = 8, 25
    errors: list[Json] = []

    def worker(index: int) -> None:
        with requests.Session() as session:
            client = SandboxClient(sandbox.url, session, api.token)
            for n in range(per_thread):
                request = {"operation_userid": "manager4220", "title": f"并发 {index}-{n}", "content": "c",
                           "blackboard_receiver": {"userid_list": ["manager7078"]}}  # fmt: skip
                body = client.post(CREATE, {"create_request": request})
                if body["errcode"] != 0:
                    errors.append(body)

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert errors == []
    stats = api.stats()
    assert stats["objects"]["blackboard"] == SEEDED + threads * per_thread
    assert stats["calls"][f"POST {CREATE}"] == threads * per_thread
    pages = [
        api.post(LISTIDS, {"query_request": {"operation_userid": "manager4220", "page": p, "page_size": 30}})
        for p in range(1, 10)
    ]
    ids = [blackboard_id for page in pages for blackboard_id in page["result"]]
    assert len(ids) == len(set(ids)) == SEEDED + threads * per_thread


def test_stats_count_every_dingtalk_call_and_reset_zeroes_them(api: SandboxClient) -> None:
    api.post(CATEGORIES, {"operation_userid": "manager4220"})
    api.post(CATEGORIES, {"operation_userid": "manager4220"}, token="bad")
    api.raw("GET", CREATE)
    api.post("/topapi/nosuch", {})
    api.raw("GET", "/nosuch")
    api.raw("GET", "/__sandbox/health")
    stats = api.stats()
    assert stats["calls"] == {"GET /gettoken": 1, f"POST {CATEGORIES}": 2, f"GET {CREATE}": 1}
    assert stats["total"] == 4
    assert stats["objects"]["blackboard"] == SEEDED


def test_reset_restores_the_seed(api: SandboxClient) -> None:
    request = {"operation_userid": "manager4220", "title": "t", "content": "c",
               "blackboard_receiver": {"userid_list": ["manager7078"]}}  # fmt: skip
    seeded_objects = api.stats()["objects"]
    assert api.post(CREATE, {"create_request": request})["errcode"] == 0
    assert api.stats()["objects"]["blackboard"] == SEEDED + 1
    assert api.raw("GET", "/__sandbox/reset").status_code == 404
    assert api.raw("POST", "/__sandbox/reset").status_code == 200
    stats = api.stats()
    assert (stats["calls"], stats["total"], stats["objects"]) == ({}, 0, seeded_objects)
    assert api.post(CATEGORIES, {"operation_userid": "manager4220"})["errcode"] == 0  # the token survives


def test_verbose_logging_masks_secrets(clock: FakeClock, capsys: pytest.CaptureFixture[str]) -> None:
    with SandboxServer(config=SandboxConfig(clock=clock, verbose=True)) as server, requests.Session() as session:
        api = SandboxClient(server.url, session)
        token = api.login()
        api.post(CATEGORIES, {"operation_userid": "manager4220"})
    logged = capsys.readouterr().err
    assert "/topapi/blackboard/category/list" in logged and "***" in logged
    assert token not in logged and "sandbox-appsecret" not in logged


def test_quiet_by_default(api: SandboxClient, capsys: pytest.CaptureFixture[str]) -> None:
    api.post(CATEGORIES, {"operation_userid": "manager4220"})
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "")
