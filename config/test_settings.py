"""Settings for the test suite: the development defaults, fast password hashing, no outside calls."""

import os

os.environ.setdefault("DEVELOPMENT", "true")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests never reach the network: geocoding tests put a test double in its place.
GEOCODER = ""

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: tests of concurrent writers need connections from several threads.
    # TEST_DB_SUFFIX keeps suites run side by side in one checkout apart.
    suffix = os.environ.get("TEST_DB_SUFFIX", "")
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db{suffix}.sqlite3")}  # noqa: F405
ANONYMOUS_PAGE_CACHE_SECONDS = 0  # tests measure the real read path; tests of the page cache turn it on

# The suite's databases need not survive a power cut: commits (the transactional tests', their flushes and
# restores) do not wait for the disk.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA synchronous=OFF"  # noqa: F405
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    options = DATABASES["default"]["OPTIONS"]  # noqa: F405
    options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()
