from django.db import migrations, models


class Migration(migrations.Migration):
    # Not named 0001_initial: a database that ran the original app's
    # eventlog/0001_initial (its own eventlog_eventlog table) still runs this.
    initial = True
    dependencies = []

    operations = [
        # Needs a role allowed to create the extension (a superuser: the
        # extension is not trusted). Going back does not drop it: that
        # would drop the audit trail with it.
        migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS eventlog", migrations.RunSQL.noop),
        migrations.CreateModel(
            name="EventLog",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("timestamp", models.DateTimeField()),
                ("actor", models.TextField(null=True)),
                ("message", models.TextField()),
                ("object_type", models.TextField(null=True)),
                ("object_id", models.TextField(null=True)),
                ("tool", models.TextField(null=True)),
                ("action", models.TextField(null=True)),
                ("changes", models.JSONField(null=True)),
                ("db_user", models.TextField()),
                ("template_message", models.TextField(null=True)),
                ("values_json", models.JSONField(null=True)),
            ],
            options={
                "verbose_name": "Event Log",
                "verbose_name_plural": "Event Logs",
                "db_table": "eventlog",
                "ordering": ["-timestamp", "-id"],
                "managed": False,
            },
        ),
    ]
