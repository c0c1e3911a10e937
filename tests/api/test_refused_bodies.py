"""A body over MAX_BODY_BYTES (1 MiB) is a 413 the client can read (SPEC §8, problem+json).

The server used to close the connection while the client was still sending: plain http.client
then saw a reset or a broken pipe (12 times in 20) instead of the answer. Now the 413 goes out
first and the rest of the body is read and dropped, up to DRAIN_BYTES (4 MiB) or DRAIN_SECONDS,
before the close.
"""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest

from app.api.middleware import DRAIN_BYTES
from app.main import create_app
from tests.live_server import live_server

MIB = 1024 * 1024
CHUNK = 64 * 1024
TWO_MIB = b"1" * (2 * MIB)


def _post(base_url: str, *, chunked: bool) -> tuple[int, str | None, dict]:
    url = urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        headers = {"Content-Type": "application/json"}
        if chunked:
            pieces = iter([TWO_MIB[i : i + CHUNK] for i in range(0, len(TWO_MIB), CHUNK)])
            connection.request(
                "POST", "/v1/schedules", body=pieces, headers=headers, encode_chunked=True
            )
        else:  # http.client sends Content-Length: 2097152
            connection.request("POST", "/v1/schedules", body=TWO_MIB, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("content-type"), json.loads(response.read())
    finally:
        connection.close()


def test_a_plain_client_reads_the_413_every_time_with_and_without_content_length():
    with live_server() as base_url:
        answers = [_post(base_url, chunked=chunked) for chunked in (False, True) for _ in range(20)]
    assert len(answers) == 40
    for status, content_type, body in answers:
        assert (status, content_type, body["status"]) == (413, "application/problem+json", 413)
        assert body["detail"] == f"the body is larger than {MIB} bytes"


async def _call_chunked(chunks: list[bytes]) -> tuple[list[dict], int, int]:
    """Drive the app with a chunked body; return what it sent, how many chunks were left
    when the answer started, and how many were never read."""
    pending = list(chunks)
    sent: list[dict] = []
    left_at_start = -1

    async def receive():
        body = pending.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(pending)}

    async def send(message):
        nonlocal left_at_start
        if message["type"] == "http.response.start":
            left_at_start = len(pending)
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/v1/schedules", "raw_path": b"", "root_path": "",
        "query_string": b"", "server": ("test", 80),
        "headers": [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
    }  # fmt: skip
    await create_app()(scope, receive, send)
    return sent, left_at_start, len(pending)


@pytest.mark.anyio
async def test_a_chunked_body_is_refused_at_the_limit_then_drained():
    """40 chunks of 64 KiB (2.5 MiB): 17 x 64 KiB = 1088 KiB > 1024 KiB, so the 413 starts
    with 40 - 17 = 23 chunks unread; those 23 (1.4 MiB < 4 MiB) are then read and dropped."""
    sent, left_at_start, unread = await _call_chunked([b"x" * CHUNK] * 40)
    assert sent[0]["status"] == 413
    assert (dict(sent[0]["headers"])[b"connection"], left_at_start, unread) == (b"close", 23, 0)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert json.loads(body)["status"] == 413
    assert sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}


@pytest.mark.anyio
async def test_draining_stops_after_drain_bytes():
    """10 MiB in 64 KiB chunks (160): 17 read to refuse it, then the drain reads until it
    has taken more than 4 MiB (65 chunks = 4160 KiB > 4096 KiB) and leaves the rest:
    160 - 17 - 65 = 78 chunks never read."""
    assert DRAIN_BYTES == 4 * MIB
    sent, left_at_start, unread = await _call_chunked([b"x" * CHUNK] * 160)
    assert (sent[0]["status"], left_at_start, unread) == (413, 143, 78)
