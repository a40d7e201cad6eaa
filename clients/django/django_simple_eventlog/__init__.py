"""The original app's package name (django_simple_eventlog.*), as its README
installs and imports it: INSTALLED_APPS = [..., "django_simple_eventlog"].
The code lives in the `eventlog` package (which must be importable too);
these modules re-export it. List one of "django_simple_eventlog" or
"eventlog" in INSTALLED_APPS, not both."""
