"""Migration operations: track a model's table from a migration.

    from eventlog.operations import TrackModel, extension_dependency

    class Migration(migrations.Migration):
        dependencies = [extension_dependency(), ("shop", "0001_initial")]
        operations = [TrackModel("Certificate", tool="certificates", exclude_fields=["updated_at"])]

extension_dependency() is ("django_simple_eventlog", "0001_eventlog_extension")
or ("eventlog", "0001_eventlog_extension"), whichever app INSTALLED_APPS lists.
"""
from django.db import migrations

from . import tracking
from .apps import extension_dependency  # noqa: F401  (for migrations)


class TrackModel(migrations.operations.base.Operation):
    reversible = True
    reduces_to_sql = False

    def __init__(self, model_name, tool=None, exclude_fields=(), messages=None, capture=None):
        self.model_name = model_name
        self.tool = tool
        self.exclude_fields = list(exclude_fields or ())
        self.messages = messages
        self.capture = capture

    def deconstruct(self):
        kwargs = {"model_name": self.model_name}
        if self.tool is not None:
            kwargs["tool"] = self.tool
        if self.exclude_fields:
            kwargs["exclude_fields"] = self.exclude_fields
        if self.messages is not None:
            kwargs["messages"] = self.messages
        if self.capture is not None:
            kwargs["capture"] = self.capture
        return self.__class__.__qualname__, [], kwargs

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            tracking.track(model, self.tool, self.exclude_fields, self.messages, using=schema_editor.connection.alias,
                           capture=self.capture)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            tracking.untrack(model, using=schema_editor.connection.alias)

    def describe(self):
        return f"Track the table of {self.model_name} with eventlog"

    @property
    def migration_name_fragment(self):
        return f"track_{self.model_name.lower()}"


class UntrackModel(TrackModel):
    reversible = False

    def __init__(self, model_name):
        super().__init__(model_name)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        super().database_backwards(app_label, schema_editor, to_state, from_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        raise NotImplementedError("UntrackModel cannot be reversed: its tracking options are unknown")

    def describe(self):
        return f"Stop tracking the table of {self.model_name}"

    @property
    def migration_name_fragment(self):
        return f"untrack_{self.model_name.lower()}"
