import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from rest_framework.test import APIClient

# One result's keys, in the original's order.
RESULT_KEYS = ["id", "actor", "message", "timestamp", "object_id", "tool", "action", "changes", "object_type"]
# DRF's rendering of an aware UTC datetime (USE_TZ, TIME_ZONE = "UTC"): isoformat() with Z.
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$")


def driver_connect(**params):
    """An autocommit DB-API connection of the driver Django uses (psycopg 3
    or psycopg2), outside Django (to create and drop databases)."""
    if connection.Database.__name__ == "psycopg":
        connection_ = connection.Database.connect(**{k: v for k, v in params.items() if v is not None}, autocommit=True)
    else:
        connection_ = connection.Database.connect(**params)
        connection_.autocommit = True
    return connection_


def sql(query, params=None):
    with connection.cursor() as cursor:
        cursor.execute(query, params or [])
        return cursor.fetchall()


def content_type_id(model):
    return ContentType.objects.get_for_model(model).pk


def check_results(results):
    """A list of results as the original answered them."""
    assert isinstance(results, list), results
    for result in results:
        assert list(result) == RESULT_KEYS
        assert TIMESTAMP.match(result["timestamp"]), result["timestamp"]
    return results


@pytest.fixture
def paginate(monkeypatch):
    """paginate(SomePagination): as if settings.REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]
    named it (that setting is GenericAPIView.pagination_class, read when DRF is imported)."""
    from rest_framework.generics import GenericAPIView

    def use(pagination_class):
        monkeypatch.setattr(GenericAPIView, "pagination_class", pagination_class)
    return use


@pytest.fixture
def paginate_pages(paginate):
    from rest_framework.pagination import PageNumberPagination

    class Pages(PageNumberPagination):
        page_size = 1000

    paginate(Pages)


@pytest.fixture
def john(django_user_model):
    return django_user_model.objects.create_user("john", password="secret", first_name="John", last_name="Doe")


@pytest.fixture
def jane(django_user_model):
    return django_user_model.objects.create_user("jane", password="secret", first_name="Jane", last_name="Roe")


@pytest.fixture
def client_john(john):
    client = APIClient()
    client.force_login(john)  # session authentication: Django's middleware knows the user
    return client


@pytest.fixture
def basic_jane(jane):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Basic amFuZTpzZWNyZXQ=")  # jane:secret, DRF-only authentication
    return client
