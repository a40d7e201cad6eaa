from django.db import models, router
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, In

from .actor import actor_key, actor_name, is_user
from .apps import installed_app_label
from .choices import EventLogAction  # noqa: F401  (the original exported it from here too)


class ActorField(models.TextField):
    """The actor's name. A user compares by its key, the `actor_id` column
    (eventlog.actor.actor_key), so that code written for the original's
    foreign key, `.filter(actor=request.user)`, finds that user's events
    whatever names they were recorded under (a rename, two users with one
    name); a string compares with the name. Other lookups take a user as the
    name it is recorded under now."""

    def get_prep_value(self, value):
        if is_user(value):
            value = actor_name(value)
        return super().get_prep_value(value)

    def deconstruct(self):
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs


def _key_column(lhs):
    """The actor_id column next to the actor column `lhs`, or None."""
    if not isinstance(lhs, Col):
        return None
    try:
        field = lhs.target.model._meta.get_field("actor_id")
    except Exception:  # noqa: BLE001 - FieldDoesNotExist: no key to match
        return None
    return field.get_col(lhs.alias)


class _ByKey:
    """A lookup on the actor column that compares a user's key with actor_id
    instead; its SQL also requires actor_id to be set, so that
    `.exclude(actor=user)` keeps the events that have no key (as the
    original's foreign key kept those with no actor)."""

    keyed = False

    def as_sql(self, compiler, connection):
        sql, params = super().as_sql(compiler, connection)
        if not self.keyed:
            return sql, params
        column_sql, column_params = compiler.compile(self.lhs)
        return f"({sql} AND {column_sql} IS NOT NULL)", [*params, *column_params]


@ActorField.register_lookup
class ActorExact(_ByKey, Exact):
    """actor=user: actor_id = the user's key."""

    def __init__(self, lhs, rhs):
        key = actor_key(rhs) if is_user(rhs) else None
        key_column = _key_column(lhs) if key is not None else None
        if key_column is not None:
            lhs, rhs, self.keyed = key_column, key, True
        super().__init__(lhs, rhs)


@ActorField.register_lookup
class ActorIn(_ByKey, In):
    """actor__in=[users]: actor_id IN their keys (a list of saved users only)."""

    def __init__(self, lhs, rhs):
        if isinstance(rhs, (list, tuple, set, frozenset)) and rhs and all(is_user(value) for value in rhs):
            keys = [actor_key(value) for value in rhs]
            key_column = _key_column(lhs) if None not in keys else None
            if key_column is not None:
                lhs, rhs, self.keyed = key_column, keys, True
        super().__init__(lhs, rhs)


class ObjectTypeField(models.TextField):
    """The object's type as text ("public.app_certificate"). A ContentType or a
    model class compares as its table's object_type, so that
    `.filter(object_type=ContentType.objects.get_for_model(Certificate))`,
    written for the original's foreign key, keeps working."""

    def get_prep_value(self, value):
        if value is not None and not isinstance(value, str):
            from .object_types import object_type_for

            value = object_type_for(value, router.db_for_read(self.model))
        return super().get_prep_value(value)

    def deconstruct(self):
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs


class EventLog(models.Model):
    """The extension's append-only table `eventlog` (unmanaged: the extension owns it).

    Write events with EventLogService.log() or let tracked tables record them;
    rows are never saved or deleted from Django.
    """

    id = models.BigAutoField(primary_key=True)
    timestamp = models.DateTimeField()
    actor = ActorField(null=True)
    actor_id = models.TextField(null=True)  # the actor's stable key (a user's primary key as text)
    message = models.TextField()
    object_type = ObjectTypeField(null=True)
    object_id = models.TextField(null=True)
    tool = models.TextField(null=True)
    action = models.TextField(null=True)
    changes = models.JSONField(null=True)
    db_user = models.TextField()
    template_message = models.TextField(null=True)
    values_json = models.JSONField(null=True)
    # The table the event is about (regclass, read as its name; NULL: about no table).
    object_table = models.TextField(null=True)
    context = models.JSONField(null=True)

    class Meta:
        # "django_simple_eventlog" or "eventlog", whichever INSTALLED_APPS lists.
        app_label = installed_app_label()
        managed = False
        db_table = "eventlog"
        ordering = ["-timestamp", "-id"]
        verbose_name = "Event Log"
        verbose_name_plural = "Event Logs"

    def __str__(self):
        return f"{self.action} on {self.object_type} {self.object_id} ({self.timestamp})"

    def save(self, *args, **kwargs):
        raise TypeError("eventlog is append-only: record events with EventLogService.log()")

    def delete(self, *args, **kwargs):
        raise TypeError("eventlog is append-only: events are never deleted")
