"""gunicorn settings for the directory (used by the Dockerfile, docker-compose and CI)."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = "-"
# Long search URLs (many comma-separated codes, a bbox, a q) must reach Django, which answers
# with a JSON 400 naming the bad parameter; gunicorn's own refusal is an HTML page. 8190 is its maximum;
# 0 (no limit) is only for fuzzing in CI.
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", "8190"))
