"""The packaging metadata (pyproject.toml) states the range the adapter is
tested on: the versions this run uses must be inside it, and it must ship
every package and file the adapter needs."""
import re
from pathlib import Path

import django
import django_filters
import rest_framework
from django.db import connection

try:
    import tomllib
except ImportError:  # Python 3.10 and older
    tomllib = None

import pytest

HERE = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(tomllib is None, reason="tomllib needs Python 3.11")


def metadata():
    return tomllib.loads((HERE / "pyproject.toml").read_text())


def version(text):
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def satisfies(installed, specifier):
    """`installed` (a version text) meets `specifier` (">=A,<B" and the like)."""
    ops = {">=": lambda a, b: a >= b, "<": lambda a, b: a < b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b}
    have = version(installed)
    for clause in specifier.split(","):
        op, wanted = re.match(r"\s*(>=|<=|<|>)\s*([\d.]+)\s*$", clause).groups()
        wanted = version(wanted)
        if not ops[op](have[:len(wanted)] if op in ("<", "<=") else have, wanted):
            return False
    return True


def requirement(requirements, name):
    for entry in requirements:
        match = re.match(r"([A-Za-z0-9_.-]+)\s*(.*)$", entry)
        if match.group(1).lower() == name.lower():
            return match.group(2)
    raise AssertionError(f"{name} is not in {requirements}")


def test_the_versions_in_use_are_in_the_stated_range():
    project = metadata()["project"]
    assert satisfies(django.get_version(), requirement(project["dependencies"], "Django"))
    assert satisfies(rest_framework.VERSION, requirement(project["dependencies"], "djangorestframework"))
    assert satisfies(django_filters.__version__, requirement(project["dependencies"], "django-filter"))
    driver = connection.Database
    assert satisfies(driver.__version__.split()[0], requirement(project["optional-dependencies"][driver.__name__], driver.__name__))
    major_minor = ".".join(django.get_version().split(".")[:2])
    assert f"Framework :: Django :: {major_minor}" in project["classifiers"]


def test_the_range_is_what_the_tests_cover():
    assert satisfies("3.2.25", ">=3.2,<6.2") and satisfies("6.1.1", ">=3.2,<6.2") and not satisfies("6.2", ">=3.2,<6.2")
    assert not satisfies("3.1.14", ">=3.2,<6.2")
    project = metadata()["project"]
    assert requirement(project["dependencies"], "Django") == ">=3.2,<6.2"


def test_every_package_and_file_is_shipped():
    setuptools = metadata()["tool"]["setuptools"]
    packages = {str(path.parent.relative_to(HERE)).replace("/", ".")
                for path in HERE.glob("*/**/__init__.py") if path.parts[len(HERE.parts)] in ("eventlog", "django_simple_eventlog")}
    assert set(setuptools["packages"]) == packages
    data = setuptools["package-data"]["eventlog"]
    assert data == [path.name for path in (HERE / "eventlog").iterdir() if path.suffix == ".html"]
