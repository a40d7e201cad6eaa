from eventlog import apps as _eventlog_apps


class EventlogConfig(_eventlog_apps.EventlogConfig):
    """INSTALLED_APPS = [..., "django_simple_eventlog"], as the original README
    says: the same app as "eventlog", under the original's name and label (so
    permissions such as "django_simple_eventlog.view_eventlog" keep their names)."""

    name = "django_simple_eventlog"
    label = "django_simple_eventlog"
