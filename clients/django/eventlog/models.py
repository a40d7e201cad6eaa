from django.db import models, router

from .actor import actor_name
from .apps import installed_app_label
from .choices import EventLogAction  # noqa: F401  (the original exported it from here too)


class ActorField(models.TextField):
    """The actor's text. A user compares as the text recorded for it
    (eventlog.actor.actor_name), so that code written for the original's
    foreign key, `.filter(actor=request.user)`, keeps working."""

    def get_prep_value(self, value):
        if value is not None and not isinstance(value, str) and (
                isinstance(value, models.Model) or hasattr(value, "is_anonymous")):
            value = actor_name(value)
        return super().get_prep_value(value)

    def deconstruct(self):
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs


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
