"""Settings of the adapter's test project. The database comes from the
environment: PGHOST, PGPORT, PGUSER (default postgres) and
EVENTLOG_DJANGO_DB (default eventlog_django); the tests run in
EVENTLOG_DJANGO_TEST_DB (default test_<EVENTLOG_DJANGO_DB>), which
pytest-django creates and drops. EVENTLOG_DJANGO_APP is the name listed in
INSTALLED_APPS: "django_simple_eventlog" (default, the original README's) or
"eventlog"."""
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

EVENTLOG_APP = os.environ.get("EVENTLOG_DJANGO_APP", "django_simple_eventlog")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",  # example.Specimen has hstore and citext fields
    "rest_framework",
    "django_filters",
    *EVENTLOG_APP.split(","),  # (two names: only to see that it is refused)
    "example",
]

# example.Specimen has an ImageField; Pillow (needed to read images, never
# done here) is not one of the packages the tests need.
SILENCED_SYSTEM_CHECKS = ["fields.E210"]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "eventlog.middleware.EventLogActorMiddleware",
]

# The admin (eventlog.admin registers the log and the objects' history on it).
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
STATIC_URL = "/static/"

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
