"""Tracking models' tables: every INSERT, UPDATE, DELETE and TRUNCATE recorded
by the extension, whoever makes it (ORM, QuerySet.update(), raw SQL, psql).

The capture mode is the extension's: "trigger" (the default) writes the
events in the changing transaction, "wal" decodes them from the write-ahead
log after the commit (PostgreSQL with wal_level = logical; see the
extension's README, "Choosing a capture mode"). settings.EVENTLOG_CAPTURE
sets the mode track() and TrackModel use when none is given.

WAL capture needs the database's replication slot, which PostgreSQL makes
only in a transaction that has not written yet: the first WAL-tracked table
of a database is tracked at the start of a transaction (in a migration:
atomic = False, so that the table's CREATE has committed before)."""
import json

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections


def _columns(model, field_names):
    columns = []
    for name in field_names or ():
        columns.append(model._meta.get_field(name).column)
    return columns


def _regclass(model, connection):
    return connection.ops.quote_name(model._meta.db_table)


def capture_mode(capture=None):
    """The capture mode to use: `capture`, else settings.EVENTLOG_CAPTURE,
    else "trigger"."""
    return capture or getattr(settings, "EVENTLOG_CAPTURE", None) or "trigger"


def track(model, tool=None, exclude_fields=(), messages=None, using=DEFAULT_DB_ALIAS, capture=None):
    """eventlog_track() on the model's table. exclude_fields are field names
    (or column names); messages maps create/update/delete/truncate to
    templates with {actor}, {tool}, {action}, {object_type}, {object_id},
    {old__COLUMN}, {new__COLUMN}; capture is "trigger" or "wal" (default:
    capture_mode()). Calling it again replaces the options (and switches the
    mode without losing or doubling an event)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT eventlog_track(%s::regclass, tool => %s, exclude_columns => %s::text[], messages => %s::jsonb,"
            " capture => %s)",
            [_regclass(model, connection), tool, _columns(model, exclude_fields),
             None if messages is None else json.dumps(messages), capture_mode(capture)],
        )


def untrack(model, using=DEFAULT_DB_ALIAS):
    """eventlog_untrack() on the model's table; False when it was not tracked."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("SELECT eventlog_untrack(%s::regclass)", [_regclass(model, connection)])
        return cursor.fetchone()[0]


def wait_for_capture(timeout="30 seconds", using=DEFAULT_DB_ALIAS):
    """eventlog_capture_wait(): True once every change committed before the
    call is in the log (WAL capture applies after the commit)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("SELECT eventlog_capture_wait(%s::interval)", [timeout])
        return cursor.fetchone()[0]


def is_tracked(model, using=DEFAULT_DB_ALIAS):
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT FROM eventlog_tracked WHERE table_name = %s::regclass)",
                       [_regclass(model, connection)])
        return cursor.fetchone()[0]
