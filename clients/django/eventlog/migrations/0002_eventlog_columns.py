from django.db import migrations, models


class Migration(migrations.Migration):
    # The model gains columns the extension's table has had since 1.2 (the
    # table the event is about, its context): the model is unmanaged, so
    # nothing is done to the database.
    dependencies = [("eventlog", "0001_eventlog_extension")]

    operations = [
        migrations.AddField(model_name="eventlog", name="object_table", field=models.TextField(null=True)),
        migrations.AddField(model_name="eventlog", name="context", field=models.JSONField(null=True)),
    ]
