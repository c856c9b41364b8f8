"""gunicorn settings for the directory (used by the Dockerfile, docker-compose and CI)."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# Threads, not sync workers: a sync worker is held by one client for as long as that client takes to send its
# request or read the answer, so a dozen sockets sending a byte a second took the whole server. A thread
# worker's main loop accepts and polls, and each request holds a thread; a slow socket costs one thread.
# Behind nginx (docker-compose.yml) requests and answers are buffered, so threads are only held at server speed.
worker_class = "config.gunicorn_workers.JSONErrorThreadWorker"  # gthread, with gunicorn's own errors as JSON
# Per worker. 32 outlasts a few dozen slow sockets reaching gunicorn directly, for some 8 MB of stack each
# (virtual; a few hundred KB resident). Every thread that has served a request keeps its own database
# connection for DATABASE_CONN_MAX_AGE (60 s, and idle pool threads keep theirs until their next request):
# up to containers x workers x threads connections at a burst's peak, against PostgreSQL's max_connections
# (100 by default). Lower GUNICORN_THREADS, set DATABASE_CONN_MAX_AGE=0, or pool (pgbouncer) when scaling out;
# in PgBouncer's transaction mode, set DATABASE_PREPARED_STATEMENTS=false.
threads = int(os.environ.get("GUNICORN_THREADS", "32"))
# With threads the main loop heart-beats every second whatever the requests do, so `timeout` only restarts a
# worker whose loop is stuck; a healthy long request (an NDJSON sync to a slow phone) is no longer cut at it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Seconds an idle keep-alive connection is kept (it waits in the poller, holding no thread). Longer than nginx's
# upstream keepalive_timeout (60 s), so the proxy closes idle upstream connections, never gunicorn under it.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
accesslog = "-"
# Long search URLs (many comma-separated codes, a bbox, a q) must reach Django, which answers
# with a JSON 400 naming the bad parameter; gunicorn's own refusal is an HTML page. 8190 is its maximum;
# 0 (no limit) is only for fuzzing in CI.
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", "8190"))
# Headers: an API request carries a handful (Authorization, Accept, If-None-Match, a proxy's X-Forwarded-*);
# 50 leaves room for browsers and proxies and bounds what one request makes the worker parse and keep.
limit_request_fields = 50
# 8190 bytes per header: a knox token or an ETag list is far shorter; the same as nginx's large buffers.
limit_request_field_size = 8190
