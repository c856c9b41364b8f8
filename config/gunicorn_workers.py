"""gunicorn workers whose own refusals (request line too long, too many headers, malformed requests) are JSON.

gunicorn answers requests it cannot parse itself, before Django sees them, with a small HTML page
(gunicorn.util.write_error). API clients expect JSON from every error; these workers keep gunicorn's status,
reason and logging and only change the body. Use with `worker_class = "config.gunicorn_workers.JSONErrorThreadWorker"`.
"""

import json

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker


def write_json_error(sock, status_int, reason, mesg):
    """gunicorn's error answer as `{"detail": ...}` with the same status line (a drop-in for util.write_error)."""
    body = json.dumps({"detail": mesg or reason}).encode("utf-8")
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    ).encode("latin-1")
    util.write_nonblock(sock, head + body)


class JSONErrorThreadWorker(ThreadWorker):
    """gunicorn's threaded worker (gthread), with JSON error pages (config.wsgi guards the charsets)."""

    def init_process(self):
        """Point gunicorn's error writer at the JSON one, once: this process only runs this worker."""
        # Worker.handle_error looks util.write_error up when it writes, so every thread gets the JSON answer.
        util.write_error = write_json_error
        super().init_process()
