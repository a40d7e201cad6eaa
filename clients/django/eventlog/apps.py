from django.apps import AppConfig


class EventlogConfig(AppConfig):
    name = "eventlog"
    label = "eventlog"
    verbose_name = "Event Log"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.conf import settings

        if getattr(settings, "EVENTLOG_KEEP_DELETED_PK", True):
            from django.db.models.signals import post_delete

            from .objects import remember_deleted_pk

            post_delete.connect(remember_deleted_pk, dispatch_uid="eventlog_remember_deleted_pk")
