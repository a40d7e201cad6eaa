"""Settings of the adapter's test project. The database comes from the
environment: PGHOST, PGPORT, PGUSER (default postgres) and
EVENTLOG_DJANGO_DB (default eventlog_django); the tests run in
EVENTLOG_DJANGO_TEST_DB (default test_<EVENTLOG_DJANGO_DB>), which
pytest-django creates and drops."""
import os

SECRET_KEY = "eventlog-django-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
USE_TZ = True
TIME_ZONE = "UTC"

_db = os.environ.get("EVENTLOG_DJANGO_DB", "eventlog_django")
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _db,
        "USER": os.environ.get("PGUSER", "postgres"),
        "HOST": os.environ.get("PGHOST", ""),
        "PORT": os.environ.get("PGPORT", ""),
        "TEST": {"NAME": os.environ.get("EVENTLOG_DJANGO_TEST_DB", "test_" + _db)},
    }
}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "rest_framework",
    "django_filters",
    "eventlog",
    "example",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "eventlog.middleware.EventLogActorMiddleware",
]

AUTH_USER_MODEL = "example.User"
ROOT_URLCONF = "testproject.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
