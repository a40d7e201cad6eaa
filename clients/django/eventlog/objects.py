"""Model instances turned into what the extension's SQL functions expect.

- a row's JSON: the instance's concrete fields by column name, read back
  through PostgreSQL (jsonb_populate_record of the model's table, then
  to_jsonb) so that values have the same form as in trigger-recorded events;
- an object's identity: (object_type, object_id) as computed by the
  extension's eventlog_object(row), the rule tracked tables use, so that
  app-logged and trigger-logged events of one row share one history.
"""
import datetime
import decimal
import json
import uuid
from string import Formatter

from django.conf import settings
from django.db import connections, models
from django.utils.duration import duration_iso_string
from django.utils.functional import Promise

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


class Encoder(json.JSONEncoder):
    """Python values as PostgreSQL's jsonb_populate_record reads them back."""

    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.date, datetime.time)):
            return o.isoformat()
        if isinstance(o, datetime.timedelta):
            return duration_iso_string(o)
        if isinstance(o, (decimal.Decimal, uuid.UUID, Promise)):
            return str(o)
        if isinstance(o, (bytes, bytearray, memoryview)):
            return "\\x" + bytes(o).hex()
        if isinstance(o, models.Model):
            return python_row(o)
        if isinstance(o, (set, frozenset, tuple)):
            return list(o)
        return super().default(o)


def dumps(value):
    return json.dumps(value, cls=Encoder)


def _sensitive_columns():
    return set(getattr(settings, "EVENTLOG_SENSITIVE_FIELDS", ("password",)))


def python_row(instance):
    """The instance's concrete fields by column name, as plain Python/JSON values."""
    hidden = _sensitive_columns()
    row = {}
    for field in instance._meta.concrete_fields:
        if field.column in hidden or field.name in hidden:
            continue
        value = field.value_from_object(instance)
        if field.primary_key and value is None:
            value = instance_pk(instance)
        row[field.column] = value
    return json.loads(dumps(row))


def _table(instance, connection):
    return connection.ops.quote_name(instance._meta.db_table)


def describe(instance, using="default", cache=None):
    """(row_json, object_type, object_id) of a model instance, computed by the
    extension. `cache` (a dict) saves the query when one call names the same
    instance twice (as `object` and in `values_json`)."""
    if cache is not None:
        key = (id(instance), using)
        if key not in cache:
            cache[key] = describe(instance, using)
        row_json, object_type, object_id = cache[key]
        return dict(row_json), object_type, object_id
    connection = connections[using]
    hidden = _sensitive_columns()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_jsonb(r), o.object_type, o.object_id "
            "FROM jsonb_populate_record(NULL::%s, %%s::jsonb) AS r, "
            "LATERAL eventlog_object(r) AS o" % _table(instance, connection),
            [dumps(python_row(instance))],
        )
        row_json, object_type, object_id = cursor.fetchone()
    if isinstance(row_json, str):
        row_json = json.loads(row_json)
    for column in hidden:
        row_json.pop(column, None)
    return row_json, object_type, object_id


def identity(instance, using="default", cache=None):
    """(object_type, object_id) of a model instance, as tracked tables record it."""
    _, object_type, object_id = describe(instance, using, cache)
    return object_type, object_id


def _placeholder_paths(template_message):
    """{key: [attr, ...]} of the template's placeholders (key 'item__name' -> ['name'])."""
    paths = {}
    try:
        for _, field_name, _, _ in Formatter().parse(template_message or ""):
            if field_name:
                paths[field_name] = field_name.split("__")[1:]
    except (ValueError, IndexError):
        pass  # malformed templates are the extension's to report (SQLSTATE 22023)
    return paths


def _attribute_value(value):
    if isinstance(value, models.Model):
        return python_row(value)
    return json.loads(dumps(value))


def values_for(template_message, values_json, using="default", cache=None):
    """values_json with model instances turned into their rows' JSON.

    A placeholder such as {user__full_name} whose attribute is not a column
    (a property, a related object) gets that attribute's value added to the
    row's JSON, as the original app read it with getattr()."""
    if values_json is None:
        return None
    paths = _placeholder_paths(template_message)
    hidden = _sensitive_columns()
    result = {}
    for key, value in dict(values_json).items():
        if isinstance(value, models.Model):
            row_json, _, _ = describe(value, using, cache)
            attrs = paths.get(key) or []
            if attrs and attrs[0] not in row_json and attrs[0] not in hidden:
                try:
                    attribute = getattr(value, attrs[0])
                except Exception:  # noqa: BLE001 - a missing attribute is reported by the extension
                    attribute = None
                else:
                    if not callable(attribute):
                        row_json[attrs[0]] = _attribute_value(attribute)
            result[key] = row_json
        else:
            result[key] = json.loads(dumps(value))
    return result
