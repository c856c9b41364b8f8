"""Real app servers for tests that need one: gunicorn with gunicorn.conf.py on a free loopback port."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """The test database, as a DATABASE_URL another process can use."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{host}:{port}/{db['NAME']}"


def free_port() -> int:
    """A loopback port nothing listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int) -> bool:
    """Whether /healthz answers at all (a 503 counts: the server is up, its database may not be)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


@contextmanager
def gunicorn(*, database=None, send_buffer=None, arguments=(), **extra_env):
    """gunicorn as deployed (gunicorn.conf.py), one worker, on the test database; yields its port; always stopped.

    `database`: another DATABASE_URL. `send_buffer` caps the kernel's send buffer of every connection: on loopback
    it grows to megabytes and swallows a whole stream, where a phone's network holds far less in flight.
    `arguments` go on gunicorn's command line; `extra_env` into its environment.
    """
    listener, passed = None, ()
    if send_buffer:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)  # accepted sockets inherit it
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        port, passed = listener.getsockname()[1], (listener.fileno(),)
        bind = f"fd://{listener.fileno()}"
    else:
        port = free_port()
        bind = f"127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEVELOPMENT": "true",
        "DATABASE_URL": database or database_url(),
        "GEOCODER": "",
        "GUNICORN_BIND": bind,
        "GUNICORN_WORKERS": "1",
        **extra_env,
    }
    env.pop("DIRECTORY_PROCESS", None)  # config.wsgi marks the server's own process
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--config", "gunicorn.conf.py", "--log-level", "error"]
    # A fixed command of this interpreter; only the environment and the test's own arguments vary.
    process = subprocess.Popen(  # noqa: S603
        [*command, *arguments], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, pass_fds=passed
    )
    if listener is not None:
        listener.close()  # gunicorn holds its own copy
    try:
        deadline = time.monotonic() + 60
        while not _answers(port):
            if process.poll() is not None:
                raise AssertionError(f"gunicorn exited: {process.stderr.read().decode()[-2000:]}")
            if time.monotonic() > deadline:
                raise AssertionError("gunicorn did not come up in 60 s")
            time.sleep(0.3)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
