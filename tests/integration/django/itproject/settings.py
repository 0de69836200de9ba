"""Settings of the integration project.

The database is read from the environment:

* ``PSYCOPG2_TESTDSN`` -- a libpq connection string for the test server (the
  test suite exports it), parsed with ``psycopg2.extensions.parse_dsn``;
* ``DJANGO_DBNAME`` -- the database to use on that server (the test creates
  it), default ``psycopg2_django``.
"""
import os
import sys

sys.modules.setdefault("psycopg", None)  # see manage.py

from psycopg2.extensions import parse_dsn  # noqa: E402

_params = parse_dsn(os.environ.get("PSYCOPG2_TESTDSN", ""))

SECRET_KEY = "not-secret-integration-tests-only"
DEBUG = False
USE_TZ = True
TIME_ZONE = "Europe/Rome"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.postgres",
    "shop",
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("DJANGO_DBNAME", "psycopg2_django"),
        "USER": _params.get("user", ""),
        "PASSWORD": _params.get("password", ""),
        "HOST": _params.get("host", ""),
        "PORT": _params.get("port", ""),
        "OPTIONS": {"application_name": "psycopg2-django-it"},
        "CONN_MAX_AGE": 0,
    }
}
