"""The original README's installation (issue point 1): INSTALLED_APPS lists
"django_simple_eventlog" (the README) or "eventlog" (its first release);
`check`, `migrate`, its imports and its examples work with either. Each runs
in a process of its own on a new, empty database."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from .conftest import driver_connect

HERE = Path(__file__).resolve().parent.parent


def admin_connection():
    db = settings.DATABASES["default"]
    return driver_connect(dbname="postgres", user=db["USER"], host=db["HOST"] or None, port=db["PORT"] or None)


def run(app, database):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "testproject.settings",
           "EVENTLOG_DJANGO_APP": app, "EVENTLOG_DJANGO_DB": database}
    return subprocess.run([sys.executable, "-m", "tests.original_project"], cwd=HERE, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("app", ["django_simple_eventlog", "eventlog"])
def test_the_original_installation_steps(app):
    database = settings.DATABASES["default"]["TEST"]["NAME"] + "_install"
    admin = admin_connection()
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{database}"')
        done = run(app, database)
        assert done.returncode == 0, done.stderr[-3000:]
        summary = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()
    assert summary["label"] == app
    newest, oldest = summary["log"]
    assert (newest["message"], newest["object_type"], newest["object_id"], newest["actor"]) == (
        "Item Certificate A was updated by John Doe.", summary["certificate"], summary["pk"], "John Doe")
    assert newest["changes"] == {"old_value": {"status": "active"}, "new_value": {"status": "inactive"}}
    assert oldest["message"] == "Created a new request"
    assert summary["list"] == [newest]
    assert [e["message"] for e in summary["direct"]] == ["direct"]


def test_one_name_at_a_time():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "testproject.settings",
           "EVENTLOG_DJANGO_APP": "eventlog,django_simple_eventlog"}
    done = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=HERE, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "list exactly one of 'django_simple_eventlog' or 'eventlog' in INSTALLED_APPS" in done.stderr
