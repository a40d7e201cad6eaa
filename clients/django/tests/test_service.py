"""EventLogService, EventLogAction and the model-instance conversions, against the extension."""
import pytest
from django.db import connection, transaction
from rest_framework.exceptions import ValidationError

from eventlog.choices import EventLogAction
from eventlog.models import EventLog
from eventlog.objects import identity
from eventlog.services import EventLogService
from example.models import Certificate, Document

from .conftest import sql

pytestmark = pytest.mark.django_db


def test_original_readme_diff_example():
    old_data = {"name": "John", "status": "active"}
    new_data = {"name": "John", "status": "inactive"}
    diff = EventLogService.create_diff_schema(old_data, new_data, exclude_keys=["updated_at"])
    assert diff == {"old_value": {"status": "active"}, "new_value": {"status": "inactive"}}


def test_diff_leaves_out_the_original_default_keys_and_recurses():
    old = {"id": 1, "updated_at": "a", "uuid": "u1", "name": "A", "meta": {"x": 1, "y": 2}, "tags": [{"id": 7, "q": 1}]}
    new = {"id": 2, "updated_at": "b", "uuid": "u2", "name": "A", "meta": {"x": 1, "y": 3}, "tags": [{"id": 7, "q": 2}]}
    assert EventLogService.create_diff_schema(old, new) == {
        "old_value": {"meta": {"y": 2}, "tags": {"7": {"q": 1}}},
        "new_value": {"meta": {"y": 3}, "tags": {"7": {"q": 2}}},
    }
    assert EventLogService.create_diff_schema(old, old) == {"old_value": {}, "new_value": {}}
    assert EventLogService.create_diff_schema(None, {"name": "B", "id": 3}) == {"old_value": {}, "new_value": {"name": "B"}}


def test_action_choices_are_the_original_ones():
    assert EventLogAction.CREATE == "create" and EventLogAction.UPDATE == "update"
    assert EventLogAction.DELETE == "delete" and EventLogAction.ACCESS == "access"


def test_log_renders_in_the_database_with_model_instances(john):
    cert = Certificate.objects.create(name="Certificate A")
    event_id = EventLogService.log(
        template_message="Item {item__name} was updated by {user__full_name}.",
        values_json={"item__name": cert, "user__full_name": john},
        object=cert,
        actor=john,
        tool="example_feature",
        action=EventLogAction.UPDATE,
        changes={"old_value": {"status": "active"}, "new_value": {"status": "inactive"}},
    )
    event = EventLog.objects.get(id=event_id)
    assert event.message == "Item Certificate A was updated by John Doe."
    assert (event.object_type, event.object_id) == ("public.example_certificate", str(cert.pk))
    assert (event.actor, event.tool, event.action) == ("John Doe", "example_feature", "update")
    assert event.changes == {"old_value": {"status": "active"}, "new_value": {"status": "inactive"}}
    assert event.template_message == "Item {item__name} was updated by {user__full_name}."
    # the row's JSON as PostgreSQL writes it (to_jsonb of the table's row type), never the password hash
    assert event.values_json["item__name"]["name"] == "Certificate A"
    assert event.values_json["item__name"]["id"] == cert.pk
    assert event.values_json["user__full_name"]["full_name"] == "John Doe"
    assert "password" not in event.values_json["user__full_name"]
    assert sql("SELECT count(*) FROM eventlog WHERE id = %s AND values_json::text LIKE '%%md5$%%'", [event_id]) == [(0,)]


def test_object_identity_is_the_extensions_rule():
    cert = Certificate.objects.create(name="B")
    expected = sql("SELECT (eventlog_object(c)).object_type, (eventlog_object(c)).object_id "
                   "FROM example_certificate c WHERE id = %s", [cert.pk])[0]
    assert identity(cert) == expected == ("public.example_certificate", str(cert.pk))


def test_log_after_delete_still_names_the_deleted_row(john):
    cert = Certificate.objects.create(name="Gone")
    pk = cert.pk
    cert.delete()
    assert cert.pk is None  # what Django does
    event_id = EventLogService.log("Item {item__name} was deleted.", cert, john, "t", "delete", values_json={"item__name": cert})
    event = EventLog.objects.get(id=event_id)
    assert (event.object_id, event.message) == (str(pk), "Item Gone was deleted.")


def test_a_bad_template_is_a_validation_error_and_the_transaction_survives(john):
    cert = Certificate.objects.create(name="C")
    with transaction.atomic():
        with pytest.raises(ValidationError) as raised:
            EventLogService.log("Item {item__nope}", cert, john, "t", "update", {"item__nope": cert})
        assert "item__nope" in str(raised.value.detail)
        with pytest.raises(ValidationError):
            EventLogService.log("Item {missing}", cert, john, "t", "update")
        assert Certificate.objects.filter(pk=cert.pk).exists()  # still usable


def test_log_is_part_of_the_callers_transaction(john):
    before = EventLog.objects.count()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            EventLogService.log("rolled back", None, john, "t", "custom")
            raise RuntimeError
    assert EventLog.objects.count() == before


def test_plain_values_and_object_pairs(john):
    event_id = EventLogService.log("{a} and {b__x}", ("public.other", 9), "someone", "t", "custom", {"a": 5, "b__x": {"x": "y"}})
    event = EventLog.objects.get(id=event_id)
    assert (event.message, event.object_type, event.object_id, event.actor) == ("5 and y", "public.other", "9", "someone")


def test_the_model_is_read_only(john):
    event = EventLog.objects.get(id=EventLogService.log("x", None, john, "t", "custom"))
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()


def test_related_objects_in_templates(john):
    doc = Document.objects.create(title="Spec", owner=john)
    event = EventLog.objects.get(id=EventLogService.log(
        "{doc__title} owned by {doc__owner}", doc, john, "t", "custom", {"doc__title": doc, "doc__owner": doc}))
    assert event.message.startswith("Spec owned by {")  # a related object renders as its row's JSON
    assert '"username": "john"' in event.message
    assert event.object_type == "public.example_document"
    assert connection.in_atomic_block  # pytest-django's test transaction: nothing committed


def test_the_original_import_paths():
    import eventlog.choices, eventlog.mixins, eventlog.models, eventlog.services, eventlog.views  # noqa: E401
    import django_simple_eventlog.choices as c, django_simple_eventlog.mixins as m  # noqa: E401
    import django_simple_eventlog.services as s, django_simple_eventlog.views as v, django_simple_eventlog.models as d  # noqa: E401
    assert s.EventLogService is eventlog.services.EventLogService
    assert c.EventLogAction is eventlog.choices.EventLogAction is eventlog.models.EventLogAction
    assert m.EventLogMixin is eventlog.mixins.EventLogMixin
    assert v.EventLogViewSet is eventlog.views.EventLogViewSet and d.EventLog is EventLog


def test_one_query_per_instance(john, django_assert_num_queries):
    cert = Certificate.objects.create(name="Q")
    # the certificate (object and item__name) once, the user once, then SAVEPOINT, eventlog_log, RELEASE
    with django_assert_num_queries(5):
        EventLogService.log("Item {item__name} by {user__full_name}", cert, john, "t", "update",
                            values_json={"item__name": cert, "user__full_name": john})
    with pytest.raises(TypeError):
        EventLogService.log("x", "public.certificate", john, "t", "update")
