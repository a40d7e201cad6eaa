import pytest
from django.db import connection
from rest_framework.test import APIClient


def sql(query, params=None):
    with connection.cursor() as cursor:
        cursor.execute(query, params or [])
        return cursor.fetchall()


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
