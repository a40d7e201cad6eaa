"""The import paths of the original app's later release (django_simple_eventlog.*),
kept for projects that use them. Everything lives in `eventlog`; put "eventlog"
(not this package) in INSTALLED_APPS."""
