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


def test_action_choices_are_the_original_ones():
    assert EventLogAction.CREATE == "create" and EventLogAction.UPDATE == "update"
    assert EventLogAction.DELETE == "delete" and EventLogAction.ACCESS == "access"


def test_log_renders_as_the_original_with_model_instances(john):
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
    # what each placeholder rendered to (never a row: no password hash, no unrelated columns)
    assert event.values_json == {"item__name": "Certificate A", "user__full_name": "John Doe"}
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
            EventLogService.log("Item {item__name", cert, john, "t", "update", {"item__name": cert})
        assert "item__name" in str(raised.value.detail)  # refused by the extension (22023)
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
    # a value that is not a model renders with str(), whatever the path (as the original)
    assert (event.message, event.object_type, event.object_id, event.actor) == ("5 and {'x': 'y'}", "public.other", "9", "someone")
    assert event.values_json == {"a": 5, "b__x": "{'x': 'y'}"}


def test_the_model_is_read_only(john):
    event = EventLog.objects.get(id=EventLogService.log("x", None, john, "t", "custom"))
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()


def test_related_objects_in_templates(john):
    doc = Document.objects.create(title="Spec", owner=john)
    event = EventLog.objects.get(id=EventLogService.log(
        "{doc__title} owned by {doc__owner} ({doc__owner__username})", doc, john, "t", "custom",
        {"doc__title": doc, "doc__owner": doc, "doc__owner__username": doc}))
    assert event.message == "Spec owned by  (john)"  # a path ending on a model renders '', as the original
    assert event.object_type == "public.example_document"
    assert connection.in_atomic_block  # pytest-django's test transaction: nothing committed


def test_missing_values_and_attributes_are_the_originals_validation_errors(john):
    cert = Certificate.objects.create(name="V")
    with pytest.raises(ValidationError) as raised:
        EventLogService.log("Item {item__name}", cert, john, "t", "update", {"item__name": None})
    assert raised.value.detail == {"log": "Format string item__name is missing from 'values_json'"}
    with pytest.raises(ValidationError) as raised:
        EventLogService.log("Item {item__nope}", cert, john, "t", "update", {"item__nope": cert})
    assert raised.value.detail == {"log": "Format string 'item__nope' of Model Certificate does not have attribute nope"}
    assert not EventLog.objects.filter(object_id=str(cert.pk)).exists()


def test_other_keys_of_values_json_keep_rows(john):
    cert = Certificate.objects.create(name="Row")
    event = EventLog.objects.get(id=EventLogService.log("{item__name}", cert, john, "t", "custom",
                                                        {"item__name": cert, "item": cert, "user": john}))
    assert event.message == "Row"
    assert event.values_json["item"]["name"] == "Row" and event.values_json["item"]["id"] == cert.pk
    assert event.values_json["user"]["username"] == "john" and "password" not in event.values_json["user"]


def test_the_original_import_paths():
    from django.conf import settings
    import eventlog.choices, eventlog.mixins, eventlog.models, eventlog.services, eventlog.views  # noqa: E401
    assert EventLog._meta.app_label == settings.EVENTLOG_APP  # the app INSTALLED_APPS lists
    import django_simple_eventlog.choices as c, django_simple_eventlog.mixins as m  # noqa: E401
    import django_simple_eventlog.services as s, django_simple_eventlog.views as v, django_simple_eventlog.models as d  # noqa: E401
    assert s.EventLogService is eventlog.services.EventLogService
    assert c.EventLogAction is eventlog.choices.EventLogAction is eventlog.models.EventLogAction
    assert m.EventLogMixin is eventlog.mixins.EventLogMixin
    assert v.EventLogViewSet is eventlog.views.EventLogViewSet and d.EventLog is EventLog


def test_one_query_per_instance(john, django_assert_num_queries):
    cert = Certificate.objects.create(name="Q")
    # the certificate's identity, then SAVEPOINT, eventlog_log, RELEASE (placeholders render in Python)
    with django_assert_num_queries(4):
        EventLogService.log("Item {item__name} by {user__full_name}", cert, john, "t", "update",
                            values_json={"item__name": cert, "user__full_name": john})
    with pytest.raises(TypeError):
        EventLogService.log("x", "public.certificate", john, "t", "update")
