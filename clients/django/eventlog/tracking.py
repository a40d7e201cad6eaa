"""Tracking models' tables: every INSERT, UPDATE, DELETE and TRUNCATE recorded
by the extension's triggers, whoever makes it (ORM, QuerySet.update(), raw SQL,
psql)."""
import json

from django.db import DEFAULT_DB_ALIAS, connections


def _columns(model, field_names):
    columns = []
    for name in field_names or ():
        columns.append(model._meta.get_field(name).column)
    return columns


def _regclass(model, connection):
    return connection.ops.quote_name(model._meta.db_table)


def track(model, tool=None, exclude_fields=(), messages=None, using=DEFAULT_DB_ALIAS):
    """eventlog_track() on the model's table. exclude_fields are field names
    (or column names); messages maps create/update/delete/truncate to
    templates with {actor}, {tool}, {action}, {object_type}, {object_id},
    {old__COLUMN}, {new__COLUMN}. Calling it again replaces the options."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT eventlog_track(%s::regclass, tool => %s, exclude_columns => %s::text[], messages => %s::jsonb)",
            [_regclass(model, connection), tool, _columns(model, exclude_fields),
             None if messages is None else json.dumps(messages)],
        )


def untrack(model, using=DEFAULT_DB_ALIAS):
    """eventlog_untrack() on the model's table; False when it was not tracked."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("SELECT eventlog_untrack(%s::regclass)", [_regclass(model, connection)])
        return cursor.fetchone()[0]


def is_tracked(model, using=DEFAULT_DB_ALIAS):
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT FROM eventlog_tracked WHERE table_name = %s::regclass)",
                       [_regclass(model, connection)])
        return cursor.fetchone()[0]
