"""EventLogService.erase and erase_actor: personal data out of the log, the chain still provable."""
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from rest_framework.exceptions import ValidationError

from eventlog.models import EventLog
from eventlog.services import EventLogService
from example.models import Document

from .conftest import sql

pytestmark = pytest.mark.django_db


def events_of(obj):
    return list(EventLog.objects.filter(object_type="public.example_document", object_id=str(obj.pk))
                .exclude(tool="eventlog").order_by("id"))


def test_erase_keys_of_a_tracked_object(john):
    doc = Document.objects.create(title="Plan of Ann Secret", owner=john)
    doc.status = "final"
    doc.save()
    EventLogService.log("Sent {doc__title}", doc, john, "mail", "send", values_json={"doc__title": doc})
    assert "Plan of Ann Secret" in str([(e.changes, e.message, e.values_json) for e in events_of(doc)])

    changed = EventLogService.erase(doc, keys=["title", "owner"], reason="erasure request")
    assert changed == len(events_of(doc)) == 3
    for event in events_of(doc):
        assert "Plan of Ann Secret" not in str((event.changes, event.message, event.values_json))
    created = events_of(doc)[0]
    assert created.changes["new_value"]["title"] == "[erased]"
    assert created.changes["new_value"]["owner_id"] == "[erased]"  # the field's column
    assert created.changes["new_value"]["status"] == "draft"        # not erased
    assert events_of(doc)[2].message == "Sent [erased]"
    erase_event = EventLog.objects.filter(tool="eventlog", action="erase").latest("id")
    assert erase_event.values_json["keys"] == ["title", "owner_id"]
    assert erase_event.values_json["reason"] == "erasure request"
    assert erase_event.values_json["events"] == 3


@pytest.mark.django_db(transaction=True)
def test_erase_every_column_and_verify():
    # (committed, so that the event is sealed before it is erased)
    doc = Document.objects.create(title="Diary", status="private")
    sql("SELECT * FROM eventlog_seal()")
    assert EventLogService.erase(doc) == 1
    event = events_of(doc)[0]
    assert event.changes["new_value"]["title"] == "[erased]"
    assert event.changes["new_value"]["status"] == "[erased]"
    assert event.changes["new_value"]["id"] == doc.pk  # the primary key stays
    sql("SELECT * FROM eventlog_seal()")
    ok, erased = sql("SELECT ok, erased FROM eventlog_verify()")[0]
    assert ok and erased >= 1
    assert sql("SELECT count(*) FROM eventlog_erasures WHERE event_id = %s", [event.id]) == [(1,)]


def test_erase_actor(john, jane):
    EventLogService.log("Approved by {who}", ("app.invoice", "7"), john, "billing", "approve",
                        values_json={"who": "John Doe"})
    EventLogService.log("Seen", ("app.invoice", "7"), jane, "billing", "view")
    changed = EventLogService.erase_actor(john, reason="account closed")
    assert changed == 1
    events = list(EventLog.objects.filter(object_type="app.invoice").order_by("id"))
    assert events[0].actor.startswith("erased-actor-")
    assert events[0].message == "Approved by " + events[0].actor  # the name rendered in it too
    assert events[0].values_json == {"who": events[0].actor}
    assert events[1].actor == "Jane Roe"
    assert not EventLog.objects.filter(actor="John Doe").exists()
    # its key went too (the adapter records a user's primary key as actor_id)
    assert events[0].actor_id == events[0].actor
    assert not EventLog.objects.filter(actor_id=str(john.pk)).exists()


def test_erase_actor_finds_events_under_an_earlier_name(john):
    EventLogService.log("Before the rename", ("app.invoice", "8"), john, "billing", "note")
    john.first_name = "Johnny"
    john.save()
    EventLogService.log("After the rename", ("app.invoice", "8"), john, "billing", "note")
    assert EventLogService.erase_actor(john) == 2
    assert not EventLog.objects.filter(object_type="app.invoice", actor__in=["John Doe", "Johnny Doe"]).exists()


def test_not_the_owner_is_refused_and_the_transaction_goes_on(john):
    doc = Document.objects.create(title="Kept")
    with connection.cursor() as cursor:
        cursor.execute("DROP ROLE IF EXISTS eventlog_django_clerk; CREATE ROLE eventlog_django_clerk")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL ROLE eventlog_django_clerk")
        with pytest.raises(PermissionDenied):
            EventLogService.erase(doc, keys=["title"])
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
        assert events_of(doc)[0].changes["new_value"]["title"] == "Kept"


def test_bad_keys_raise_validation_error():
    with pytest.raises(ValidationError):
        EventLogService.erase(("app.invoice", "1"))  # no table: the keys must be named
    assert Document.objects.count() >= 0  # the transaction is usable
