"""Process-level tuning applied where the app starts serving (WSGI) and where it is measured (benchmark)."""

import gc

# A search request allocates tens of thousands of short-lived containers (querysets, serializer
# fields, row tuples). Unfrozen, the collector's older generations walk every object of the loaded
# app now and then: measured at 10,000 services, p95 180 ms against p50 40 ms. Freezing the start-up
# objects out of the walk (gc.freeze) is what fixes that, and it stays. Raising the thresholds as well
# (50,000, 20, 20) cost memory: cyclic garbage (model instances, nested serializers, prefetch caches)
# lived until a rare full collection, and a worker that streamed the whole directory as NDJSON stayed
# at 250-300 MB (target: under 200 MB), against 93 MB with CPython's defaults at the same speed. So:
# CPython's defaults.
# What the process would otherwise build at its first searches and keep (the gazetteer: 19,000 places, 60,000
# objects) is built first, so that it is frozen too: left to the first search, every full collection walked it,
# 28-44 ms each, about 1 request in 60 at 100,000 services (each a p95 of 58 ms against a p50 of 12 ms).
GC_THRESHOLDS = (700, 10, 10)


def tune_garbage_collector() -> None:
    """Freeze what start-up made (it lives as long as the process) out of the collector's walks."""
    from referrals import gazetteer

    gazetteer.load()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
