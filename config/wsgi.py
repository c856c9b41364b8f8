"""WSGI entry point (gunicorn config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

from config.runtime import tune_garbage_collector

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Before the settings load: web requests get statement and lock timeouts that management commands must not.
os.environ["DIRECTORY_PROCESS"] = "web"
from api.middleware_request import refuse_foreign_charsets

# Django decodes the query string with the Content-Type's charset while it builds the request, before any
# middleware runs: a charset such as zlib is refused (415) before Django sees the request.
application = refuse_foreign_charsets(get_wsgi_application())
tune_garbage_collector()
