"""Slow clients reaching gunicorn directly: they hold a thread each, never the worker, and slow readers finish."""

import json
import socket
import threading
import time
import urllib.request
from contextlib import contextmanager

import pytest
from django.db import transaction

from tests.helpers import make_organization, make_service
from tests.servers import gunicorn

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
TRICKLE_SECONDS = 6  # how long the slow sockets keep sending; every loop below is bounded by it or less


def _get(port, path, timeout=3.0):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
        return response.status, json.loads(response.read())


@contextmanager
def _slow_sockets(port, count, opening: bytes, trickle: bytes):
    """`count` connections that send `opening` at once, then one byte of `trickle` every 0.5 s, for a bounded time."""
    sockets, stop = [], threading.Event()

    def drip():
        deadline = time.monotonic() + TRICKLE_SECONDS
        n = 0
        while not stop.is_set() and time.monotonic() < deadline:
            for sock in sockets:
                try:
                    sock.sendall(trickle[n % len(trickle) : n % len(trickle) + 1])
                except OSError:
                    pass  # the server gave up on it: that is allowed
            n += 1
            stop.wait(0.5)

    dripper = threading.Thread(target=drip, daemon=True)
    try:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sockets.append(sock)
            sock.sendall(opening)
        dripper.start()
        time.sleep(1.0)  # every slow socket has been taken up by the server before the normal client comes
        yield
    finally:
        stop.set()
        if dripper.is_alive():
            dripper.join(timeout=5)
        for sock in sockets:
            sock.close()


def _normal_client_is_answered(port):
    started = time.monotonic()
    for _ in range(5):
        assert _get(port, "/healthz") == (200, {"status": "ok", "database": "ok"})
        status, categories = _get(port, "/api/v1/categories/")
        assert status == 200 and categories
    assert time.monotonic() - started < TRICKLE_SECONDS - 1  # all of it while the slow sockets still hold on


def test_sockets_sending_headers_a_byte_at_a_time_leave_normal_clients_answered():
    with gunicorn() as port, _slow_sockets(port, 12, b"G", b"ET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 64):
        _normal_client_is_answered(port)


def test_sockets_trickling_a_request_body_leave_normal_clients_answered():
    # The login reads its body outside any transaction. (A write's transaction, and on SQLite its write lock, is
    # taken before DRF reads the body, so a slow body there would hold up other writers whatever the server.)
    headers = (
        b"POST /api/v1/auth/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100000\r\n\r\n"
    )
    with gunicorn() as port, _slow_sockets(port, 20, headers + b"{", b" "):
        _normal_client_is_answered(port)


def test_a_reader_at_200_kb_per_second_gets_a_whole_ndjson_stream_past_the_worker_timeout():
    # A big organisation description makes every record ~50 KB: a megabyte, about 5 s at 200 KB/s.
    with transaction.atomic():  # one commit: this test's database commits for real, and SQLite syncs each one
        organization = make_organization(name="Verbose Trust", description="Help for everyone. " * 2800)
        for n in range(20):
            make_service(organization, name=f"Service {n:02d}", at=(13.7 + n * 0.001, 100.5))
    rate, body = 200_000, bytearray()
    with gunicorn(GUNICORN_TIMEOUT="2", send_buffer=32_768) as port:
        sock = socket.socket()
        try:
            # A small receive window, as a phone's: the server can't hand the whole stream to the kernel at once.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16_384)
            sock.settimeout(5)
            sock.connect(("127.0.0.1", port))
            # HTTP/1.0: the stream comes unchunked and ends when the server closes.
            sock.sendall(b"GET /api/v1/sync/?country=TH&format=ndjson HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            started = time.monotonic()
            while time.monotonic() - started < 20:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                body += chunk
                time.sleep(max(0.0, len(body) / rate - (time.monotonic() - started)))
            elapsed = time.monotonic() - started
        finally:
            sock.close()
    head, _, stream = bytes(body).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200") or head.startswith(b"HTTP/1.1 200"), head[:200]
    kinds = [_kind(line) for line in stream.split(b"\n")[:-1]]  # a line cut off midway is not a line
    assert elapsed > 2 * 2, "the read must outlast the worker timeout to test it"
    assert kinds == ["service"] * 20 + ["end"]


def _kind(line: bytes) -> str:
    """The type of an NDJSON line, or `garbled` (a killed worker's stream ends in whatever was in flight)."""
    try:
        return json.loads(line)["type"]
    except (ValueError, KeyError, TypeError):
        return "garbled"
