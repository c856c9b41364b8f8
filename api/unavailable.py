"""A database that cannot be reached, or a statement it cancelled, answers 503 with Retry-After, not a 500."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
DETAIL = "The directory's database is unreachable or too slow right now; try again shortly."


def is_database_outage(exc) -> bool:
    """True for errors that say the database is down, partitioned or too slow, not that our code is wrong.

    A refused or timed-out connection, a dropped one, and a statement cancelled by statement_timeout or
    lock_timeout (psycopg2's QueryCanceled and LockNotAvailable) all arrive as OperationalError.
    """
    return isinstance(exc, (OperationalError, InterfaceError))


def database_unavailable_response() -> JsonResponse:
    """The JSON 503 a client may retry after a few seconds."""
    response = JsonResponse({"detail": DETAIL}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """Turns a view's database outage into the 503; the handler500 does the same for other middleware's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        """A 503 for an outage, else None (Django's handler500 takes it)."""
        if not is_database_outage(exception):
            return None
        logger.warning("Database unavailable for %s %s: %s", request.method, request.path, exception)
        return database_unavailable_response()
