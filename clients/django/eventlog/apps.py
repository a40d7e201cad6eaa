from django.apps import AppConfig, apps
from django.core.exceptions import ImproperlyConfigured

# The two names a project may list in INSTALLED_APPS: "django_simple_eventlog"
# (the original app's README) or "eventlog" (its first release).
APP_NAMES = ("eventlog", "django_simple_eventlog")
EXTENSION_MIGRATION = "0001_eventlog_extension"


def installed_app_label():
    """The label of the one eventlog app in INSTALLED_APPS: the EventLog model
    belongs to it (app label, permissions, migrations)."""
    configs = [config for config in apps.get_app_configs() if config.name in APP_NAMES]
    if len(configs) != 1:
        raise ImproperlyConfigured(
            "eventlog: list exactly one of 'django_simple_eventlog' or 'eventlog' in INSTALLED_APPS "
            f"(found {len(configs)})"
        )
    return configs[0].label


def extension_dependency():
    """The migration that creates the extension, for your migrations' dependencies
    (whichever of the two app names is installed):

        dependencies = [extension_dependency(), ("shop", "0001_initial")]
    """
    return (installed_app_label(), EXTENSION_MIGRATION)


class EventlogConfig(AppConfig):
    name = "eventlog"
    label = "eventlog"
    verbose_name = "Event Log"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import post_migrate

        from .object_types import forget_tables

        # Tables may have been created or renamed: map them again when next asked.
        post_migrate.connect(forget_tables, dispatch_uid="eventlog_forget_tables")

        if getattr(settings, "EVENTLOG_KEEP_DELETED_PK", True):
            from django.db.models.signals import post_delete

            from .objects import remember_deleted_pk

            post_delete.connect(remember_deleted_pk, dispatch_uid="eventlog_remember_deleted_pk")
