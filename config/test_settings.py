"""Settings for the test suite: the development defaults, fast password hashing, no outside calls."""

import os

os.environ.setdefault("DEVELOPMENT", "true")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
