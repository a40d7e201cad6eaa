"""Tracking models' tables from Django."""
import json

import pytest
from django.db import connection

from eventlog import tracking
from eventlog.dbapi import sqlstate
from example.models import Certificate, Document

from .conftest import sql

pytestmark = pytest.mark.django_db


def test_the_migration_tracks_document_with_its_options():
    assert tracking.is_tracked(Document)
    assert sql("SELECT tool, exclude_columns, messages->>'update' FROM eventlog_tracked "
               "WHERE table_name = 'example_document'::regclass") == [
        ("documents", ["updated_at"], "{new__title}: {old__status} -> {new__status} by {actor}")]


def test_track_and_untrack_a_model_with_excluded_fields(john):
    assert not tracking.is_tracked(Certificate)
    tracking.track(Certificate, tool="certs", exclude_fields=["updated_at", "status"])
    assert tracking.is_tracked(Certificate)
    cert = Certificate.objects.create(name="A")
    Certificate.objects.filter(pk=cert.pk).update(status="other")  # only an excluded column: nothing recorded
    Certificate.objects.filter(pk=cert.pk).update(name="B")
    rows = [(action, tool, json.loads(changes)) for action, tool, changes in
            sql("SELECT action, tool, changes FROM eventlog_for_object('public.example_certificate', %s)", [str(cert.pk)])]
    assert rows == [("update", "certs", {"old_value": {"name": "A"}, "new_value": {"name": "B"}}),
                    ("create", "certs", {"old_value": {}, "new_value": {"id": cert.pk, "name": "A"}})]
    assert tracking.untrack(Certificate) is True
    assert tracking.untrack(Certificate) is False


def test_a_bad_template_is_refused_when_tracking_is_set_up():
    from django.db import DataError, transaction
    with pytest.raises(DataError) as raised, transaction.atomic():
        tracking.track(Certificate, messages={"update": "{new__nope}"})
    assert sqlstate(raised.value) == "22023"
    assert connection.is_usable()


def test_migrations_match_the_models():
    from django.conf import settings
    from django.core.management import call_command
    call_command("makemigrations", settings.EVENTLOG_APP, "example", check=True, dry_run=True, verbosity=0)  # SystemExit(1) when not


def test_migrations_apply_to_a_database_that_ran_the_original_app():
    from django.conf import settings
    from django.db.migrations.loader import MigrationLoader
    loader = MigrationLoader(connection)
    assert (settings.EVENTLOG_APP, "0001_eventlog_extension") in loader.applied_migrations
    assert (settings.EVENTLOG_APP, "0001_initial") not in loader.disk_migrations  # the original's name stays free


def test_state_at_versions_and_revert(john):
    from django.utils import timezone
    from rest_framework.exceptions import ValidationError

    from eventlog.services import EventLogService

    doc = Document.objects.create(title="First", status="draft")
    before = timezone.now()
    Document.objects.filter(pk=doc.pk).update(title="Second")
    doc.refresh_from_db()
    assert EventLogService.state_at(doc, before)["title"] == "First"
    assert EventLogService.state_at(doc)["title"] == "Second"
    versions = EventLogService.versions(doc)
    assert [v["action"] for v in versions] == ["update", "create"]
    assert versions[0]["state"]["title"] == "Second" and "updated_at" not in versions[0]["state"]

    revert_id = EventLogService.revert(versions[0]["event_id"])
    doc.refresh_from_db()
    assert doc.title == "First"
    assert sql("SELECT action, context->>'revert_of' FROM eventlog WHERE id = %s", [revert_id]) == [
        ("update", str(versions[0]["event_id"]))]
    with pytest.raises(ValidationError) as refused:  # the row changed since
        EventLogService.revert(versions[0]["event_id"])
    assert "changed since" in str(refused.value.detail["revert"])
    assert Document.objects.get(pk=doc.pk).title == "First"  # the transaction stays usable


def test_the_capture_mode_comes_from_the_argument_then_the_setting(settings):
    assert tracking.capture_mode() == "trigger"
    settings.EVENTLOG_CAPTURE = "wal"
    assert tracking.capture_mode() == "wal"
    assert tracking.capture_mode("trigger") == "trigger"


def test_wal_capture_reaches_the_extension(settings):
    # The capture mode is passed to eventlog_track: on a server without
    # wal_level = logical the extension refuses it (55000) and says why;
    # with it, the table is tracked from the WAL.
    from django.db import transaction
    settings.EVENTLOG_CAPTURE = "wal"
    if sql("SHOW wal_level") == [("logical",)]:
        tracking.track(Certificate)
        assert sql("SELECT capture FROM eventlog_tracked WHERE table_name = 'example_certificate'::regclass") == [("wal",)]
        tracking.untrack(Certificate)
        return
    with pytest.raises(Exception) as raised, transaction.atomic():
        tracking.track(Certificate)
    assert sqlstate(raised.value) == "55000"
    assert "wal_level = logical" in str(raised.value)
