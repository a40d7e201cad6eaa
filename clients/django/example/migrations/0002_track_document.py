from django.db import migrations

from eventlog.operations import TrackModel, extension_dependency


class Migration(migrations.Migration):
    dependencies = [
        extension_dependency(),  # ("django_simple_eventlog" or "eventlog", "0001_eventlog_extension")
        ("example", "0001_initial"),
    ]

    operations = [
        TrackModel(
            "Document",
            tool="documents",
            exclude_fields=["updated_at"],
            messages={"update": "{new__title}: {old__status} -> {new__status} by {actor}"},
        ),
    ]
