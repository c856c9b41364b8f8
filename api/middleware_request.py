"""Refuse requests Django itself would trip over, with a JSON answer, before anything reads their body or query."""

import json

from django.conf import settings
from django.http import JsonResponse
from django.utils.http import parse_header_parameters

# Text encodings a request may declare. Django takes any codec name `codecs.lookup` knows (zlib, rot13, base64...)
# as the encoding of the query string and body, and decoding with those fails (a 500) or means nothing.
ACCEPTED_CHARSETS = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
UNSUPPORTED_CHARSET = "Unsupported charset: send UTF-8 (charset=utf-8)."


def _foreign_charset(content_type: str) -> bool:
    """True when the Content-Type names a charset other than UTF-8 (or ASCII)."""
    try:
        _, params = parse_header_parameters(content_type)
    except ValueError:  # a malformed parameter (charset*=a'b'c): no charset anyone could honour
        return True
    charset = params.get("charset")
    return charset is not None and charset.strip().lower() not in ACCEPTED_CHARSETS


def refuse_foreign_charsets(application):
    """Wrap a WSGI application: a JSON 415 for a request declaring a charset other than UTF-8.

    Django's request object decodes the query string with the declared charset while it is being built (before
    any middleware), and a binary codec such as zlib raises there: a 500 no middleware can catch. The WSGI
    entry point (config/wsgi.py, which gunicorn and the Dockerfile serve) wraps the application.
    """

    def guarded(environ, start_response):
        if _foreign_charset(environ.get("CONTENT_TYPE", "")):
            body = json.dumps({"detail": UNSUPPORTED_CHARSET}).encode()
            headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            start_response("415 Unsupported Media Type", headers)
            return [body]
        return application(environ, start_response)

    return guarded


class RequestHygieneMiddleware:
    """A 415 for a Content-Type charset other than UTF-8 (any method), a 413 for a body over the size limit,
    a 400 for a Content-Length that is not a number.

    (A charset that breaks the query string already fails while Django builds the request, before this runs;
    `refuse_foreign_charsets` guards the WSGI entry point against that. This covers every other case.)

    It must run before anything touches `request.GET`, `request.POST` or `request.body`: right after
    SecurityMiddleware. DRF reads the raw stream without Django's DATA_UPLOAD_MAX_MEMORY_SIZE check, so the size
    limit is enforced here, from the declared length, before a byte of the body is read.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        return self.get_response(request)

    @staticmethod
    def _refusal(request):
        """The JSON error for a request that cannot be read safely, or None."""
        if _foreign_charset(request.META.get("CONTENT_TYPE", "")):
            return JsonResponse({"detail": UNSUPPORTED_CHARSET}, status=415)
        raw_length = request.META.get("CONTENT_LENGTH") or ""
        if raw_length.strip():
            try:
                length = int(raw_length)
            except ValueError:
                length = -1
            if length < 0:
                return JsonResponse({"detail": "Content-Length must be a whole number of bytes."}, status=400)
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if limit is not None and length > limit:
                return JsonResponse({"detail": f"Request body too large: at most {limit} bytes."}, status=413)
        return None
