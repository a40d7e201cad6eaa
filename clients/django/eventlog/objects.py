"""Model instances and Python values turned into what the extension's SQL
functions expect.

- an object's identity: (object_type, object_id) as computed by the
  extension's eventlog_object(row), the rule tracked tables use, so that
  app-logged and trigger-logged events of one row share one history;
- a row's JSON (to_jsonb of the table's row type, as tracked events show
  rows), for model instances stored in `values_json`;
- the values of a template's placeholders, rendered as the original app
  rendered them (Python's str(), attributes read with getattr()).

Rows are built from each field's own database value (Field.get_db_prep_value,
what Django itself would write), so every field type that Django can save
(files, ranges, arrays, hstore, intervals, binary...) works here too.
"""
import datetime
import decimal
import json
import uuid
from string import Formatter

from django.conf import settings
from django.db import connections, models
from django.db.models.fields.files import FieldFile
from django.utils.duration import duration_iso_string
from django.utils.functional import Promise
from rest_framework.exceptions import ValidationError

_DELETED_PK = "_eventlog_deleted_pk"


def remember_deleted_pk(sender, instance, **kwargs):
    """post_delete receiver: Django sets pk to None after a delete; keep it so
    that `EventLogService.log(object=instance)` after `instance.delete()`
    still names the deleted row."""
    if isinstance(instance, models.Model):
        instance.__dict__[_DELETED_PK] = instance.pk


def instance_pk(instance):
    pk = instance.pk
    if pk is None:
        pk = instance.__dict__.get(_DELETED_PK)
    return pk


def _plain_row(instance):
    """A row without the database (for instances nested in lists or dicts):
    JSON-native values as they are, others as Django's serializers write them."""
    row = {}
    for field in instance._meta.concrete_fields:
        if field.attname in instance.get_deferred_fields() or field.column in _sensitive_columns():
            continue
        value = field.value_from_object(instance)
        if field.primary_key and value is None:
            value = instance_pk(instance)
        if value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            value = field.value_to_string(instance)
        row[field.column] = value
    return row


class Encoder(json.JSONEncoder):
    """Python values as JSON (for `changes` and `values_json`)."""

    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.date, datetime.time)):
            return o.isoformat()
        if isinstance(o, datetime.timedelta):
            return duration_iso_string(o)
        if isinstance(o, (decimal.Decimal, uuid.UUID, Promise)):
            return str(o)
        if isinstance(o, (bytes, bytearray, memoryview)):
            return "\\x" + bytes(o).hex()
        if isinstance(o, FieldFile):
            return o.name or None
        if isinstance(o, models.Model):
            return _plain_row(o)
        if isinstance(o, (set, frozenset, tuple)):
            return list(o)
        return super().default(o)


def dumps(value):
    return json.dumps(value, cls=Encoder)


def _sensitive_columns():
    return set(getattr(settings, "EVENTLOG_SENSITIVE_FIELDS", ("password",)))


def _table(instance, connection):
    return connection.ops.quote_name(instance._meta.db_table)


def _row_sql(instance, connection):
    """A jsonb object of the instance's columns, each value cast to its
    column's text form by PostgreSQL from the value Django would write."""
    deferred = instance.get_deferred_fields()
    pieces, params = [], []
    for field in instance._meta.concrete_fields:
        if field.attname in deferred:
            continue  # never loaded: reading it would query (and fail after a delete)
        value = field.value_from_object(instance)
        if field.primary_key and value is None:
            value = instance_pk(instance)
        value = field.get_db_prep_value(value, connection, prepared=False)
        if field.db_type(connection) in ("json", "jsonb"):
            pieces.append("(%s, (%s)::jsonb)")
        else:
            pieces.append("(%s, pg_catalog.to_jsonb((%s)::text))")
        params += [field.column, value]
    sql = "(SELECT pg_catalog.jsonb_object_agg(k, v) FROM (VALUES " + ", ".join(pieces) + ") AS x(k, v))"
    return sql, params


def describe(instance, using="default", cache=None):
    """(row_json, object_type, object_id) of a model instance, computed by the
    extension. `cache` (a dict) saves the query when one call names the same
    instance twice."""
    if cache is not None:
        key = (id(instance), using)
        if key not in cache:
            cache[key] = describe(instance, using)
        row_json, object_type, object_id = cache[key]
        return dict(row_json), object_type, object_id
    connection = connections[using]
    row_sql, params = _row_sql(instance, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_catalog.to_jsonb(r), o.object_type, o.object_id "
            "FROM pg_catalog.jsonb_populate_record(NULL::" + _table(instance, connection) + ", " + row_sql + ") AS r, "
            "LATERAL eventlog_object(r) AS o",
            params,
        )
        row_json, object_type, object_id = cursor.fetchone()
    if isinstance(row_json, str):
        row_json = json.loads(row_json)
    for column in _sensitive_columns():
        row_json.pop(column, None)
    return row_json, object_type, object_id


def identity(instance, using="default", cache=None):
    """(object_type, object_id) of a model instance, as tracked tables record it."""
    _, object_type, object_id = describe(instance, using, cache)
    return object_type, object_id


def placeholders(template_message):
    """The template's placeholder names, in order, once each; None when the
    template does not parse (the extension then reports it, SQLSTATE 22023)."""
    names = []
    try:
        for _, name, _, _ in Formatter().parse(template_message or ""):
            if name is not None and name not in names:
                names.append(name)
    except ValueError:
        return None
    return names


def _rendered(name, value):
    """The text the original app put in the message for placeholder `name`."""
    if value is None:
        raise ValidationError({"log": f"Format string {name} is missing from 'values_json'"})
    if not isinstance(value, models.Model):
        # str() as the original; strings and integers are kept as they are
        # (the extension renders them to the same text).
        return value if type(value) in (str, int) else str(value)
    current = value
    for attribute in name.split("__")[1:]:
        if not hasattr(current, attribute):
            raise ValidationError({"log": f"Format string '{name}' of Model {value.__class__.__name__} "
                                          f"does not have attribute {attribute}"})
        current = getattr(current, attribute)
    # A model (no attribute named, or a related object) renders as '' in the original.
    return "" if isinstance(current, models.Model) else format(current, "")


def values_for(template_message, values_json, using="default", cache=None):
    """The values_json given to eventlog_log(): each placeholder's value as the
    text the original rendered for it (the extension renders a scalar as
    itself whatever the placeholder's path); other keys as JSON, model
    instances as their rows' JSON minus EVENTLOG_SENSITIVE_FIELDS."""
    values = dict(values_json or {})
    names = placeholders(template_message)
    if names is None:  # unparsable: the extension reports it
        names = []
    if not values and not names:
        return None if values_json is None else {}
    result = {}
    for name in names:
        result[name] = _rendered(name, values.get(name))
    for key, value in values.items():
        if key in result:
            continue
        if isinstance(value, models.Model):
            result[key], _, _ = describe(value, using, cache)
        else:
            result[key] = json.loads(dumps(value))
    return result
