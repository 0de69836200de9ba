"""A small Django project (tests/integration/django/) on this module.

Django runs in child processes: its postgresql backend registers adapters and
typecasters globally (uuid, inet arrays...), which must not leak into the rest
of the suite. The project gets a database of its own.
"""
import json
import os

import pytest

from .conftest import HERE, need, run_python

django = need("django")

PROJECT = os.path.join(HERE, "django")
DBNAME = "psycopg2_django_it"

pytestmark = pytest.mark.skipif(
    django.VERSION < (4, 2), reason="the project needs Django >= 4.2")


@pytest.fixture(scope="module")
def env(scratch_db, module_child_env):
    scratch_db(DBNAME)
    e = dict(module_child_env, DJANGO_SETTINGS_MODULE="itproject.settings",
             DJANGO_DBNAME=DBNAME, PYTHONDONTWRITEBYTECODE="1")
    e["PYTHONPATH"] = PROJECT + os.pathsep + e["PYTHONPATH"]
    return e


def manage(env, *args, timeout=120):
    p = run_python([os.path.join(PROJECT, "manage.py")] + list(args),
                   env=env, cwd=PROJECT, timeout=timeout)
    assert p.returncode == 0, "manage.py %s failed:\n%s\n%s" % (
        " ".join(args), p.stdout, p.stderr)
    return p.stdout


@pytest.fixture(scope="module")
def migrated(env):
    out = manage(env, "migrate", "--noinput")
    assert "Applying shop.0001_initial... OK" in out
    assert "Applying shop.0002_seed_authors... OK" in out
    return env


@pytest.fixture(scope="module")
def report(migrated):
    out = manage(migrated, "exercise", timeout=180)
    return json.loads(out.strip().splitlines()[-1])


SCENARIOS = [
    "backend", "migrated", "crud", "atomic_savepoints", "json_field",
    "array_field", "hstore_field", "range_fields", "full_text_search",
    "bulk_operations", "server_side_iterator_autocommit", "select_for_update",
    "raw_sql", "reconnect", "timezone_and_dates",
]


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario(report, name):
    assert name in report, "scenario not run"
    assert report[name] == "ok", report[name]


def test_no_missing_migrations(migrated):
    out = manage(migrated, "makemigrations", "--check", "--dry-run")
    assert "No changes detected" in out


def test_management_command(migrated):
    out = manage(migrated, "shopreport")
    assert out.splitlines() == [
        "Italo Calvino: 0 books, stock 0",
        "Umberto Eco: 0 books, stock 0",
        "authors: 2",
    ]
    out = manage(migrated, "shopreport", "--min-books", "1")
    assert out.splitlines() == ["authors: 0"]


def test_migrate_backwards_and_forwards(migrated, report):
    manage(migrated, "migrate", "shop", "0001", "--noinput")
    assert manage(migrated, "shopreport").splitlines() == ["authors: 0"]
    out = manage(migrated, "migrate", "shop", "zero", "--noinput")
    assert "Unapplying shop.0001_initial... OK" in out
    out = manage(migrated, "migrate", "--noinput")
    assert "Applying shop.0002_seed_authors... OK" in out
    assert manage(migrated, "shopreport").splitlines()[-1] == "authors: 2"


def test_django_test_runner(migrated):
    # creates and destroys test_<db>, runs TestCase/TransactionTestCase
    p = run_python([os.path.join(PROJECT, "manage.py"), "test", "shop",
                    "--noinput", "-v", "2"], env=migrated, cwd=PROJECT)
    assert p.returncode == 0, p.stderr
    assert "Ran 5 tests" in p.stderr and "\nOK" in p.stderr, p.stderr


def test_inspectdb(migrated):
    out = manage(migrated, "inspectdb", "shop_book")
    assert "class ShopBook(models.Model):" in out
    assert "models.JSONField" in out
    assert "models.UUIDField(unique=True)" in out
