from django.db import models

from .choices import EventLogAction  # noqa: F401  (the original exported it from here too)


class EventLog(models.Model):
    """The extension's append-only table `eventlog` (unmanaged: the extension owns it).

    Write events with EventLogService.log() or let tracked tables record them;
    rows are never saved or deleted from Django.
    """

    id = models.BigAutoField(primary_key=True)
    timestamp = models.DateTimeField()
    actor = models.TextField(null=True)
    message = models.TextField()
    object_type = models.TextField(null=True)
    object_id = models.TextField(null=True)
    tool = models.TextField(null=True)
    action = models.TextField(null=True)
    changes = models.JSONField(null=True)
    db_user = models.TextField()
    template_message = models.TextField(null=True)
    values_json = models.JSONField(null=True)

    class Meta:
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
