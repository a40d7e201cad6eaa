"""Which model an event's object_type names, and back.

The log keeps `object_type` as text, the table's schema-qualified name as the
extension writes it ("public.app_certificate"); the original app answered a
ContentType id there and an integer `object_id`. For the models Django knows,
the adapter maps one to the other: the REST answers show ContentType ids and
integer keys, and `?object_type=<ContentType id>` filters. Other object types
(string object types, tables without a model) are shown as they are stored.

The names come from the database (one catalog query per database, again after
each `migrate`), so that they are exactly the extension's.
"""
import threading

from django.apps import apps
from django.db import connections, models

_lock = threading.Lock()
_tables = {}  # database alias -> (object_type -> model, model -> object_type, model -> table oid)


def forget_tables(**kwargs):
    """post_migrate receiver: tables may have changed."""
    with _lock:
        _tables.clear()


def _models():
    found = [model for model in apps.get_models() if not model._meta.proxy and model._meta.db_table]
    # A table with several models (an unmanaged mirror of a managed one): the managed one names it.
    return sorted(found, key=lambda model: not model._meta.managed)


def _load(using):
    connection = connections[using]
    by_name = {}
    for model in _models():
        by_name.setdefault(connection.ops.quote_name(model._meta.db_table), []).append(model)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT q.name, pg_catalog.format('%%I.%%I', n.nspname, c.relname), c.oid::bigint"
            " FROM pg_catalog.unnest(%s::text[]) AS q(name)"
            " JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(q.name)"
            " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace",
            [sorted(by_name)],
        )
        rows = cursor.fetchall()
    by_type, by_model, oids = {}, {}, {}
    for name, object_type, oid in rows:
        for model in by_name[name]:
            by_type.setdefault(object_type, model)
            by_model[model] = object_type
            oids.setdefault(model, oid)
    return by_type, by_model, oids


def _maps(using, reload=False):
    with _lock:
        maps = None if reload else _tables.get(using)
    if maps is None:
        maps = _load(using)
        with _lock:
            _tables[using] = maps
    return maps


def model_for(object_type, using):
    """The (concrete) model whose table `object_type` names, or None."""
    if object_type is None:
        return None
    return _maps(using)[0].get(object_type)


def object_type_for(value, using):
    """The object_type text of a model class, model instance or ContentType;
    None when its table is unknown."""
    if isinstance(value, models.Model) and value._meta.label_lower == "contenttypes.contenttype":
        value = value.model_class()
    if isinstance(value, models.Model):
        value = type(value)
    if not (isinstance(value, type) and issubclass(value, models.Model)):
        return None if value is None else str(value)
    model = value._meta.concrete_model
    object_type = _maps(using)[1].get(model)
    if object_type is None:  # a table created since the names were read
        object_type = _maps(using, reload=True)[1].get(model)
    return object_type


def table_oids(using):
    """{model: its table's oid} for the models Django knows (the oid is what
    the log's object_table holds for events about that table)."""
    return dict(_maps(using)[2])


def _integer_key(model):
    pk = model._meta.pk
    while pk.is_relation:
        pk = pk.target_field
    return isinstance(pk, models.IntegerField)


def present(object_type, object_id, using):
    """(object_type, object_id) as the original app answered them: the
    ContentType id and, for integer keys, an integer; unchanged for object
    types that name no model."""
    model = model_for(object_type, using)
    if model is None or not apps.is_installed("django.contrib.contenttypes"):
        return object_type, object_id
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(model)
    if object_id is not None and _integer_key(model):
        try:
            object_id = int(object_id)
        except ValueError:
            pass
    return content_type.pk, object_id
