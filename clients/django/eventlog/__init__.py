"""Django/DRF adapter for the eventlog PostgreSQL extension.

The original app's API (EventLogService, EventLogAction, EventLogViewSet,
EventLogMixin) with the same import paths (eventlog.* and, as the original's
README has it, django_simple_eventlog.*); events are stored by the
extension's SQL functions, in the caller's transaction.
"""
