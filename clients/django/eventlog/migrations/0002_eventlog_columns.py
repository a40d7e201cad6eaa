from django.db import migrations, models


class Migration(migrations.Migration):
    # The model gains columns of the extension's table: the table the event
    # is about and its context (since 1.2), the actor's stable key (1.4).
    # The model is unmanaged: nothing is done to the database.
    dependencies = [("eventlog", "0001_eventlog_extension")]

    operations = [
        migrations.AddField(model_name="eventlog", name="object_table", field=models.TextField(null=True)),
        migrations.AddField(model_name="eventlog", name="context", field=models.JSONField(null=True)),
        migrations.AddField(model_name="eventlog", name="actor_id", field=models.TextField(null=True)),
    ]
