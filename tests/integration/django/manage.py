#!/usr/bin/env python
"""Entry point of the small Django project used by tests/integration/test_django.py.

Database settings come from the environment (see itproject/settings.py).
"""
import os
import sys

# Django's postgresql backend prefers psycopg 3 when it can import it: make
# sure it runs on psycopg2 (this module) whatever else is installed.
sys.modules.setdefault("psycopg", None)

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itproject.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
