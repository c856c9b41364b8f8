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
    """gunicorn's threaded worker (gthread), with JSON error pages, refusing foreign charsets before Django."""

    def load_wsgi(self):
        """Load the application, behind the charset guard (Django fails on some charsets before any middleware)."""
        super().load_wsgi()
        from api.middleware_request import refuse_foreign_charsets

        if not hasattr(self.wsgi, "wrapped_application"):
            self.wsgi = refuse_foreign_charsets(self.wsgi)

    def handle_error(self, req, client, addr, exc):
        """gunicorn's own error handling (status, logging), written out as JSON."""
        # Worker.handle_error looks up util.write_error when it writes; this process only runs this worker, so
        # pointing the name at the JSON writer (idempotent, no lock needed) is enough for every thread.
        util.write_error = write_json_error
        super().handle_error(req, client, addr, exc)
