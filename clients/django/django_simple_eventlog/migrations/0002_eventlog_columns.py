# The same migration as eventlog's, under this app's label.
import importlib

from django.db import migrations

_eventlog = importlib.import_module("eventlog.migrations.0002_eventlog_columns").Migration


class Migration(migrations.Migration):
    dependencies = [("django_simple_eventlog", "0001_eventlog_extension")]
    operations = _eventlog.operations
