"""Django/DRF adapter for the eventlog PostgreSQL extension.

The original app's API (EventLogService, EventLogAction, EventLogViewSet,
EventLogMixin) with the same import paths; rendering, diffing and storing
happen in the database, in the caller's transaction.
"""
