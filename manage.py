#!/usr/bin/env python
"""Django's command-line utility for the referral directory."""

import os
import sys


def main():
    """Run administrative tasks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if not (os.environ.get("SECRET_KEY") or os.environ.get("SECRET_KEY_FILE")):
        # A checkout without a secret key is a developer's machine. The web server (config/wsgi.py)
        # never assumes this: without a key and DEVELOPMENT=true it refuses to start.
        os.environ.setdefault("DEVELOPMENT", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
