"""Slow or surplus peers never take the service down (SPEC §8), against a live server.

app/server.py closes a connection whose headers have not arrived within HEADER_TIMEOUT_SECONDS
(10 s by default) or whose body has not within BODY_TIMEOUT_SECONDS (30 s), and answers 503
at once past MAX_CONNECTIONS. Every wait here is bounded.
"""

from __future__ import annotations

import json
import selectors
import socket
import time
from urllib.parse import urlsplit

import httpx

from tests.live_server import live_server

PARTIAL_HEADERS = b"GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


def _open(base_url: str, count: int, first_bytes: bytes) -> list[socket.socket]:
    address = urlsplit(base_url)
    peers = []
    for _ in range(count):
        peer = socket.create_connection((address.hostname, address.port), timeout=5)
        if first_bytes:
            peer.sendall(first_bytes)
        peer.setblocking(False)
        peers.append(peer)
    return peers


def _wait_closed(peers: list[socket.socket], deadline: float, on_tick=None) -> dict:
    """Read every peer until it is closed by the server or the deadline passes; return
    {peer: bytes received}. `on_tick` runs about every half second meanwhile."""
    received = {peer: b"" for peer in peers}
    selector = selectors.DefaultSelector()
    for peer in peers:
        selector.register(peer, selectors.EVENT_READ)
    open_peers = set(peers)
    next_tick = time.monotonic()
    while open_peers and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.2):
            peer = key.fileobj
            try:
                chunk = peer.recv(4096)
            except (ConnectionResetError, BlockingIOError):
                chunk = b""
            if chunk:
                received[peer] += chunk
            else:
                selector.unregister(peer)
                open_peers.discard(peer)
        if on_tick is not None and time.monotonic() >= next_tick:
            on_tick()
            next_tick = time.monotonic() + 0.5
    selector.close()
    return {peer: data for peer, data in received.items() if peer not in open_peers} | {
        peer: None for peer in open_peers
    }


def test_300_connections_that_never_finish_their_headers_are_closed_within_20_s():
    """SPEC §8 at its defaults (10 s for the headers): the 300 are closed, each with a 408,
    while normal requests on other connections keep getting 200."""
    with live_server() as base_url, httpx.Client(base_url=base_url, timeout=5) as http:
        started = time.monotonic()
        peers = _open(base_url, 150, PARTIAL_HEADERS) + _open(base_url, 150, b"")
        answers: list[int] = []
        try:
            outcome = _wait_closed(
                peers,
                deadline=started + 20,
                on_tick=lambda: answers.append(http.get("/livez").status_code),
            )
            elapsed = time.monotonic() - started
        finally:
            for peer in peers:
                peer.close()
    still_open = [peer for peer, data in outcome.items() if data is None]
    assert not still_open, f"{len(still_open)} of 300 still open after 20 s"
    assert elapsed >= 9, "closed before the header timeout"
    assert all(data.startswith(b"HTTP/1.1 408 ") for data in outcome.values())
    assert len(answers) >= 15
    assert set(answers) == {200}


def test_a_body_that_stops_arriving_is_closed_after_the_body_timeout():
    with live_server(BODY_TIMEOUT_SECONDS="1") as base_url:
        headers = (
            b"POST /v1/schedules HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )
        started = time.monotonic()
        (peer,) = _open(base_url, 1, headers)
        try:
            outcome = _wait_closed([peer], deadline=started + 10)
        finally:
            peer.close()
        elapsed = time.monotonic() - started
    assert outcome[peer] is not None, "still open after 10 s"
    assert 0.9 <= elapsed < 5
    assert outcome[peer].startswith(b"HTTP/1.1 408 ")


def test_a_kept_alive_connection_is_timed_from_its_next_request():
    """A finished request re-arms nothing until the next one starts: keep-alive idling is
    uvicorn's own timeout (5 s); a next request that stalls gets the header timeout."""
    with live_server(HEADER_TIMEOUT_SECONDS="1") as base_url:
        (peer,) = _open(base_url, 1, b"")
        peer.settimeout(5)
        peer.sendall(b"GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first = b""
        while not first.endswith(b'{"status":"ok"}'):  # the whole first response
            chunk = peer.recv(4096)
            assert chunk, first
            first += chunk
        peer.sendall(PARTIAL_HEADERS)
        peer.setblocking(False)
        started = time.monotonic()
        try:
            outcome = _wait_closed([peer], deadline=started + 10)
        finally:
            peer.close()
    assert first.startswith(b"HTTP/1.1 200 ")
    assert outcome[peer] is not None
    assert outcome[peer].startswith(b"HTTP/1.1 408 ")
    assert time.monotonic() - started < 5


def test_past_max_connections_a_new_request_gets_503_at_once():
    with live_server(MAX_CONNECTIONS="4") as base_url:
        idle = _open(base_url, 4, b"")
        try:
            started = time.monotonic()
            response = httpx.get(f"{base_url}/livez", timeout=5)
            elapsed = time.monotonic() - started
        finally:
            for peer in idle:
                peer.close()
        time.sleep(0.3)  # the server sees the idle connections go
        after = httpx.get(f"{base_url}/livez", timeout=5)
    assert response.status_code == 503
    assert elapsed < 1
    assert after.status_code == 200


def test_trickled_headers_do_not_extend_the_deadline():
    """A byte every 0.3 s keeps the connection busy but its headers still must arrive within
    HEADER_TIMEOUT_SECONDS (here 2) of its start."""
    with live_server(HEADER_TIMEOUT_SECONDS="2") as base_url:
        (peer,) = _open(base_url, 1, b"G")
        started = time.monotonic()
        received = b""
        try:
            for byte in b"ET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"x" * 40:
                time.sleep(0.3)
                try:
                    peer.sendall(bytes([byte]))
                    received += peer.recv(4096)
                except BlockingIOError:
                    continue
                except (BrokenPipeError, ConnectionResetError):
                    break
                if received:
                    break
        finally:
            peer.close()
        elapsed = time.monotonic() - started
    assert received.startswith(b"HTTP/1.1 408 ")
    assert elapsed < 4


def _ndjson_line(loan_id: str) -> bytes:
    loan = {"principal": "12000.00", "term_months": 5, "start_date": "2026-01-15",
            "daily_rate": "0.0005"}  # fmt: skip
    return json.dumps({"loan_id": loan_id, "loan": loan, "as_of": "2026-06-20"}).encode() + b"\n"


def _stream_head(base_url: str) -> socket.socket:
    address = urlsplit(base_url)
    peer = socket.create_connection((address.hostname, address.port), timeout=10)
    peer.sendall(
        b"POST /v1/positions/batch HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    return peer


def test_a_streamed_body_that_keeps_coming_outlives_the_body_timeout():
    """POST /v1/positions/batch takes up to 100,000 lines, longer than BODY_TIMEOUT_SECONDS to
    compute: its deadline restarts with each piece, so a stream that keeps arriving is served
    whole (here 5 lines over ~2 s against a 1 s timeout)."""
    with live_server(BODY_TIMEOUT_SECONDS="1") as base_url:
        peer = _stream_head(base_url)
        try:
            for number in range(5):
                data = _ndjson_line(f"L{number}")
                peer.sendall(b"%x\r\n%b\r\n" % (len(data), data))
                time.sleep(0.4)
            peer.sendall(b"0\r\n\r\n")
            answer = b""
            while not answer.endswith(b"0\r\n\r\n"):
                chunk = peer.recv(65536)
                assert chunk, f"closed early: {answer[:200]!r}"
                answer += chunk
        finally:
            peer.close()
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert [f"L{n}" for n in range(5)] == [
        json.loads(text)["loan_id"] for text in answer.split(b"\r\n") if text.startswith(b"{")
    ]


def test_a_streamed_body_that_stalls_is_closed_after_the_body_timeout():
    with live_server(BODY_TIMEOUT_SECONDS="1") as base_url:
        peer = _stream_head(base_url)
        data = _ndjson_line("L0")
        peer.sendall(b"%x\r\n%b\r\n" % (len(data), data))
        started = time.monotonic()
        try:
            outcome = _wait_closed([peer], deadline=started + 10)
        finally:
            peer.close()
        elapsed = time.monotonic() - started
    assert outcome[peer] is not None, "still open after 10 s"
    assert 0.9 <= elapsed < 5
