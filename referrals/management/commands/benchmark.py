"""Measure the read API: per request kind, as an anonymous reader and as a caseworker; optionally a load over HTTP.

In-process part: p50/p95 latency, SQL queries, SQL time and the overhead ratio (request time over the
time its SQL took), bytes raw and gzipped. The header also times two fixed workloads, one in Python and
one in the database, so that figures taken on different machines (or on one virtual machine on a busy
day) can be compared: a run whose references are twice as slow is a slower machine, not slower code.
HTTP part (`--load`): gunicorn on a free port, driven by wrk
(Debian's `wrk` package) with the same mix; throughput, errors, latency, and the workers' resident memory.
"""

import gc
import gzip
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import clear_url_caches

from referrals.management.commands import _reference_search as reference
from referrals.models import Caseworker, Service

BANGKOK = (13.7563, 100.5018)
CHIANG_MAI = (18.7883, 98.9853)
MAE_SOT = (16.7131, 98.5747)
SEARCH = "/api/v1/services/"
# (label, method, path, parameters, the reference search's parameters or None): a fixed mix, run against whatever
# data the database holds. The searches run beside a plain DRF search of the same rows (_reference_search.py),
# dense (Bangkok, 25 km, two filters) and sparse (Chiang Mai 10 km, Mae Sot 50 km) alike.
BANGKOK_SEARCH = {
    "lat": BANGKOK[0], "lng": BANGKOK[1], "radius_km": 25, "category": "housing,medical", "serves": "women"
}  # fmt: skip
MIX = [
    ("near point, 2 filters", "GET", SEARCH, BANGKOK_SEARCH, BANGKOK_SEARCH),
    ("Chiang Mai 10 km, 1 filter", "GET", SEARCH,
     {"lat": CHIANG_MAI[0], "lng": CHIANG_MAI[1], "radius_km": 10, "category": "counselling"}, "same"),
    ("Mae Sot 50 km, 1 filter", "GET", SEARCH,
     {"lat": MAE_SOT[0], "lng": MAE_SOT[1], "radius_km": 50, "category": "medical"}, "same"),
    ("near=Chiang Mai, 1 filter", "GET", SEARCH, {"near": "Chiang Mai", "category": "counselling"}, "same"),
    ("keyword q=shelter", "GET", SEARCH, {"q": "shelter", "country": "TH"}, "same"),
    ("keyword q=ปลอดภัย (Thai)", "GET", SEARCH, {"q": "ปลอดภัย"}, "same"),
    ("bbox Bangkok", "GET", SEARCH, {"bbox": "100.4,13.6,100.7,13.9"}, "same"),
    ("bbox Mae Sot", "GET", SEARCH, {"bbox": "98.45,16.6,98.7,16.85"}, "same"),
    ("list, page of 20", "GET", SEARCH, {"page_size": 20}, "same"),
    ("sync KH, page of 100", "GET", "/api/v1/sync/", {"country": "KH"}, None),
    ("POST search, near point", "POST", "/api/v1/services/search/",
     {"lat": BANGKOK[0], "lng": BANGKOK[1], "radius_km": 25, "category": ["housing", "medical"], "serves": ["women"]},
     BANGKOK_SEARCH),
]  # fmt: skip
CASEWORKER = "benchmark-caseworker"
GUNICORN = [sys.executable, "-m", "gunicorn", "config.wsgi", "--config", "gunicorn.conf.py"]


def _p95(timings) -> float:
    return statistics.quantiles(timings, n=20)[-1] if len(timings) >= 2 else timings[0]


class SqlTimer:
    """Counts the queries of a request and the time they take (execute_wrapper: driver round trip, local DB)."""

    def __init__(self):
        self.queries, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


REFERENCE_RUNS = 5
# A million rows counted by the database, and a million-step loop in Python: neither touches the directory.
DATABASE_REFERENCE = {
    "postgresql": "SELECT count(*) FROM generate_series(1, 1000000)",
    "sqlite": (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000) SELECT count(*) FROM n"
    ),
}


def machine_reference() -> tuple[float, float]:
    """Milliseconds of two fixed workloads (Python, database), best of REFERENCE_RUNS: how fast this machine is now."""

    def python_workload():
        return sum(i * i for i in range(1_000_000))

    def database_workload():
        with connection.cursor() as cursor:
            cursor.execute(DATABASE_REFERENCE.get(connection.vendor, DATABASE_REFERENCE["sqlite"]))
            return cursor.fetchone()

    def best(workload):
        timings = []
        for _ in range(REFERENCE_RUNS):
            started = time.perf_counter()
            workload()
            timings.append((time.perf_counter() - started) * 1000)
        return min(timings)

    return best(python_workload), best(database_workload)


class Command(BaseCommand):
    """Print the table of latency, SQL and payload per request kind and reader, then optionally a load test."""

    help = "Benchmark the read API against the current database (load_demo or generate_directory first)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=30, help="Timed runs per request kind (after 3 warm-ups).")
        parser.add_argument("--load", type=int, default=0, metavar="SECONDS", help="Also run wrk for this long.")
        parser.add_argument(
            "--without-reference",
            action="store_true",
            help="Time this directory's requests alone (the reference's reads between them, several times larger at "
            "1,000,000 services, take PostgreSQL's shared buffers).",
        )
        parser.add_argument("--connections", type=int, default=16, help="wrk's concurrent connections.")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn workers for the load test.")
        parser.add_argument(
            "--load-readers",
            choices=["both", "anonymous"],
            default="both",
            help="The load's readers: every other request a caseworker's (both), or anonymous only.",
        )

    def handle(self, *args, runs, load, connections, workers, load_readers, without_reference, **options):
        from api import throttling
        from config.runtime import tune_garbage_collector

        tune_garbage_collector()  # as config/wsgi.py does for the served app

        # Measure the endpoints, not the rate limits: lift every tier's throttle for this process.
        for throttle in (throttling.AnonymousThrottle, throttling.PartnerKeyThrottle, throttling.UserThrottle):
            throttle.THROTTLE_RATES = {**throttle.THROTTLE_RATES, throttle.scope: None}
        if not Service.objects.exists():
            raise CommandError("No services in the database: run `manage.py load_demo` or `generate_directory`.")
        detail = Service.objects.filter(status="active", organization__vetted=True).order_by("pk").first()
        mix = [*MIX, ("service detail", "GET", f"/api/v1/services/{detail.pk}/", {}, None)]
        token = self._caseworker_token()
        readers = {"anonymous": Client(), "caseworker": Client(HTTP_AUTHORIZATION=f"Token {token}")}
        self.stdout.write(
            f"{Service.objects.count():,} services on {connection.vendor}; {runs} runs each after 3 warm-ups; "
            f"page cache {'on' if settings.ANONYMOUS_PAGE_CACHE_SECONDS > 0 else 'off'}"
            + ("; without the reference" if without_reference else "")
        )
        python_ms, database_ms = machine_reference()
        self.stdout.write(
            f"machine reference (best of {REFERENCE_RUNS}; lower is faster): Python {python_ms:.0f} ms, "
            f"database {database_ms:.0f} ms\n"
        )
        header = (
            f"{'request':28} {'reader':10} {'results':>7} {'p50 ms':>7} {'p95 ms':>7} {'queries':>7} "
            f"{'SQL ms':>7} {'ratio':>5} {'bytes':>7} {'gzip':>6} {'ref p50':>7} {'ref q':>5} {'x ref':>5} "
            f"{'x p95':>5}"
        )
        self.stdout.write(
            "ratio: request time / its SQL time; ref: a plain DRF search of the same rows, run interleaved "
            "(ours, ref, ours, ...); x ref: ref p50 / our p50 (2.0: twice as fast), x p95 the same at p95"
        )
        if settings.ANONYMOUS_PAGE_CACHE_SECONDS > 0:
            self.stdout.write("(the page cache answers the anonymous rows; ANONYMOUS_PAGE_CACHE_SECONDS=0 to compare)")
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        with override_settings(ROOT_URLCONF=reference.__name__):  # the yardstick, mounted for this process only
            clear_url_caches()
            for label, method, path, params, reference_params in mix:
                if reference_params == "same":
                    reference_params = params
                if without_reference:
                    reference_params = None
                for reader, client in readers.items():
                    self.stdout.write(
                        self._measure(label, reader, client, method, path, params, runs, reference_params)
                    )
        clear_url_caches()
        if load:
            self._load(
                [entry[:4] for entry in mix], load, connections, workers, token if load_readers == "both" else None
            )

    def _caseworker_token(self) -> str:
        """A vetted caseworker for the signed-in half of the table (created once; it is only a benchmark user)."""
        from django.contrib.auth import get_user_model
        from knox.models import AuthToken

        user, _ = get_user_model().objects.get_or_create(username=CASEWORKER, defaults={"email": "bench@example.org"})
        Caseworker.objects.update_or_create(user=user, defaults={"agency": "Benchmark", "vetted": True})
        return AuthToken.objects.create(user)[1]

    def _measure(self, label, reader, client, method, path, params, runs, reference_params=None) -> str:
        def call():
            if method == "POST":
                return client.post(path, json.dumps(params), content_type="application/json")
            return client.get(f"{path}?{urlencode(params)}" if params else path)

        def call_reference():
            return client.get(f"{reference.PATH}?{urlencode(reference_params)}")

        for _ in range(3):
            call()
            if reference_params is not None:
                call_reference()
        timings, sql_times, reference_timings = [], [], []
        queries = reference_queries = 0
        for _ in range(runs):  # interleaved, so that a noisy moment slows both
            timer = SqlTimer()
            # Each request starts with no one else's garbage to walk: the reference's cyclic garbage (Django's
            # prefetches, nested serializers) otherwise made the collector's full walks land in ours, 40-60 ms at
            # 100,000 services. Its own collections still count; this favours the reference, which leaves more.
            gc.collect()
            with connection.execute_wrapper(timer):
                started = time.perf_counter()
                response = call()
                timings.append((time.perf_counter() - started) * 1000)
            sql_times.append(timer.seconds * 1000)
            queries = timer.queries
            if reference_params is not None:
                reference_timer = SqlTimer()
                gc.collect()
                with connection.execute_wrapper(reference_timer):
                    started = time.perf_counter()
                    reference_response = call_reference()
                    reference_timings.append((time.perf_counter() - started) * 1000)
                reference_queries = reference_timer.queries
                if reference_response.status_code != 200:
                    raise CommandError(f"{label} (reference): {reference_response.status_code}")
        if response.status_code != 200:
            raise CommandError(f"{label}: {response.status_code} {response.content[:200]!r}")
        payload = response.json()
        results = payload["count"] if "count" in payload else len(payload.get("results", [])) or 1
        p50, sql = statistics.median(timings), statistics.median(sql_times)
        p95 = _p95(timings)
        ratio = p50 / sql if sql else float("inf")
        body = response.content
        compared = f"{'—':>7} {'—':>5} {'—':>5} {'—':>5}"
        if reference_timings:
            reference_p50 = statistics.median(reference_timings)
            reference_p95 = _p95(reference_timings)
            compared = (
                f"{reference_p50:>7.1f} {reference_queries:>5} {reference_p50 / p50:>5.2f} {reference_p95 / p95:>5.2f}"
            )
        return (
            f"{label:28} {reader:10} {results:>7} {p50:>7.1f} {p95:>7.1f} {queries:>7} {sql:>7.1f} {ratio:>5.1f} "
            f"{len(body):>7} {len(gzip.compress(body)):>6} {compared}"
        )

    def _load(self, mix, seconds, connections, workers, token):
        """gunicorn on a free port, wrk round-robin over the GET part of the mix, half anonymous, half caseworker."""
        wrk = shutil.which("wrk")
        if wrk is None:
            raise CommandError("The load test needs wrk: `apt-get install wrk` (Debian's package).")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers)}
        # Measure the server, not the rate limits.
        env.update({f"THROTTLE_{tier}": "10000000/min" for tier in ("ANONYMOUS", "PARTNER", "USER")})
        server = subprocess.Popen(  # noqa: S603 (this interpreter, a fixed command)
            [*GUNICORN, "--access-logfile", "/dev/null"],
            cwd=settings.BASE_DIR,
            env=env,
        )
        try:
            self._wait_for(port, server)
            gets = [(path, params) for _, method, path, params in mix if method == "GET"]
            paths = [f"{path}?{urlencode(params)}" if params else path for path, params in gets]
            self._warm_up(port, paths, token, workers)
            script = self._wrk_script(paths, token)
            peak = {"rss": 0}
            done = threading.Event()
            sampler = threading.Thread(target=self._sample_memory, args=(server.pid, peak, done), daemon=True)
            sampler.start()
            base = f"http://127.0.0.1:{port}"
            output = subprocess.run(  # noqa: S603
                [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script, base],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            done.set()
            sampler.join()
        finally:
            server.terminate()
            server.wait(timeout=30)
        readers = "half anonymous, half caseworker" if token else "anonymous"
        page_cache = "on" if settings.ANONYMOUS_PAGE_CACHE_SECONDS > 0 else "off"
        backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        self.stdout.write(
            f"\nLoad: wrk, {connections} connections, {seconds} s, gunicorn {workers} workers, GET mix, {readers}; "
            f"page cache {page_cache} ({backend})"
        )
        self.stdout.write(output)
        self.stdout.write(f"peak resident memory of a gunicorn worker: {peak['rss'] / 1024:.0f} MB")

    @staticmethod
    def _wrk_script(paths, token) -> str:
        lua = ["local paths = {" + ", ".join(json.dumps(p) for p in paths) + "}", "local i = 0"]
        lua.append("request = function()")
        lua.append("  i = i + 1")
        lua.append("  local path = paths[(math.floor(i / 2) % #paths) + 1]")
        lua.append('  local headers = {["Accept-Encoding"] = "gzip"}')
        if token:
            lua.append(f'  if i % 2 == 0 then headers["Authorization"] = "Token {token}" end')
        lua.append('  return wrk.format("GET", path, headers)')
        lua.append("end")
        lua.append("done = function(summary, latency, requests)")
        lua.append("  local e = summary.errors")
        lua.append(
            '  io.write(string.format("errors: connect %d, read %d, write %d, status %d, timeout %d\\n", '
            "e.connect, e.read, e.write, e.status, e.timeout))"
        )
        lua.append("end")
        handle, path = tempfile.mkstemp(suffix=".lua")
        Path(path).write_text("\n".join(lua) + "\n")
        os.close(handle)
        return path

    @staticmethod
    def _wait_for(port, server):
        import urllib.request

        for _ in range(120):
            if server.poll() is not None:
                raise CommandError("gunicorn exited before it served.")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                return
            except OSError:
                time.sleep(0.5)
        raise CommandError("gunicorn did not come up within a minute.")

    @staticmethod
    def _warm_up(port, paths, token, workers):
        """Measure the steady state: every path once per reader and worker, so caches and connections are warm."""
        import urllib.request

        headers = [{}, {"Authorization": f"Token {token}"}] if token else [{}]
        for _ in range(workers):
            for path in paths:
                for extra in headers:
                    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=extra)
                    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our own server)
                        response.read()

    @staticmethod
    def _sample_memory(master_pid, peak, done):
        """The largest resident set of any worker (children of the master), sampled every half second."""
        while not done.is_set():
            for child in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split():
                try:
                    status = Path(f"/proc/{child}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmRSS:"):
                        peak["rss"] = max(peak["rss"], int(line.split()[1]))
            done.wait(0.5)
