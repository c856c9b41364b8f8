"""Shared pytest fixtures."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api():
    """An anonymous API client: every reader is public for now."""
    return APIClient()


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Tests never open a network connection (loopback and the test database excepted)."""
    import socket

    real_connect = socket.socket.connect

    def guarded_connect(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")
        ):
            raise RuntimeError(f"Test tried to reach the network: {address!r}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (vocabulary codes are cached)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
