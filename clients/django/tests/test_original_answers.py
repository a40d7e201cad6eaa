"""What a project written for the original app sees: filters and result
fields (issue point 3), subclasses that narrow the list (4), messages (6),
models with files and every other field type (7), timestamps (8)."""
import datetime
import decimal
import uuid

import pytest
from django.core.files.base import ContentFile
try:  # Django 4.2 and later: the range types of whichever driver it uses
    from django.db.backends.postgresql.psycopg_any import DateRange, DateTimeTZRange, NumericRange
except ImportError:  # Django 3.2: psycopg2 only
    from psycopg2.extras import DateRange, DateTimeTZRange, NumericRange
from rest_framework import serializers

from django_simple_eventlog.choices import EventLogAction
from django_simple_eventlog.models import EventLog
from django_simple_eventlog.services import EventLogService
from example.models import Certificate, Document, Specimen

from .conftest import check_results, content_type_id, sql

pytestmark = pytest.mark.django_db(transaction=True)

INVALID_CHOICE = ["Select a valid choice. That choice is not one of the available choices."]


def new_tool():
    return f"t-{uuid.uuid4().hex[:8]}"


# 3. Filters and fields ---------------------------------------------------------

def test_actor_and_object_type_filters_take_ids(client_john, john, jane, paginate_pages):
    tool = new_tool()
    cert, doc = Certificate.objects.create(name="A"), Document.objects.create(title="D")
    by_john = EventLogService.log("by john", cert, john, tool, "update")
    by_jane = EventLogService.log("by jane", cert, jane, tool, "update")
    about_doc = EventLogService.log("about doc", doc, jane, tool, "update")
    about_nothing = EventLogService.log("string actor", ("app.invoice", "INV-7"), "billing robot", tool, "custom")

    def ids(**params):
        answer = client_john.get("/api/eventlogs/", {"tool": tool, **params})
        assert answer.status_code == 200, answer.content
        return [r["id"] for r in check_results(answer.json()["results"])]

    assert ids(actor=john.pk) == [by_john]
    assert ids(actor=jane.pk) == [about_doc, by_jane]
    assert ids(object_type=content_type_id(Certificate)) == [by_jane, by_john]
    assert ids(object_type=content_type_id(Document), actor=jane.pk) == [about_doc]
    assert ids(object_type=content_type_id(Certificate), object_id=cert.pk, actor=jane.pk) == [by_jane]
    assert ids(action="custom") == [about_nothing]
    assert ids(actor_name="billing robot") == ids(object_type_name="app.invoice") == [about_nothing]

    # malformed or unknown ids: 400, as the original's foreign-key filters answered
    for params in ({"actor": "abc"}, {"actor": 999999}, {"object_type": "abc"}, {"object_type": 999999}):
        answer = client_john.get("/api/eventlogs/", params)
        assert (answer.status_code, answer.json()) == (400, {list(params)[0]: INVALID_CHOICE})


def test_results_show_content_type_ids_integer_keys_and_full_names(client_john, john, paginate_pages):
    tool = new_tool()
    cert = Certificate.objects.create(name="A")
    EventLogService.log("about a certificate", cert, john, tool, EventLogAction.UPDATE)
    EventLogService.log("about something else", ("app.invoice", "INV-7"), "billing robot", tool, "custom")
    about_other, about_cert = check_results(client_john.get("/api/eventlogs/", {"tool": tool}).json()["results"])
    assert (about_cert["object_type"], about_cert["object_id"], about_cert["actor"]) == (
        content_type_id(Certificate), cert.pk, "John Doe")
    # not a model: as stored
    assert (about_other["object_type"], about_other["object_id"], about_other["actor"]) == (
        "app.invoice", "INV-7", "billing robot")
    # trigger-recorded events of a tracked model too
    doc = Document.objects.create(title="tracked")
    (created,) = check_results(client_john.get(f"/api/documents/{doc.pk}/log/").json()["results"])
    assert (created["object_type"], created["object_id"]) == (content_type_id(Document), doc.pk)


# 4. Subclasses -----------------------------------------------------------------

def test_get_queryset_and_filter_queryset_overrides_are_honoured(client_john, basic_jane, john, jane, paginate_pages):
    tool, secret = new_tool(), "secret"
    mine = EventLogService.log("mine", None, john, tool, "custom")
    theirs = EventLogService.log("theirs", None, jane, tool, "custom")
    hidden = EventLogService.log("hidden", None, john, secret, "custom")

    answer = client_john.get("/api/my-eventlogs/", {"tool": tool}).json()  # .filter(actor=self.request.user)
    assert answer["count"] == 1 and [r["id"] for r in answer["results"]] == [mine]
    assert client_john.get(f"/api/my-eventlogs/{theirs}/").status_code == 404
    assert client_john.get(f"/api/my-eventlogs/{mine}/").json()["id"] == mine
    assert [r["id"] for r in basic_jane.get("/api/my-eventlogs/", {"tool": tool}).json()["results"]] == [theirs]
    everything = client_john.get("/api/my-eventlogs/").json()
    # by the user's key: this John's events, not those of earlier tests' users also named John Doe
    assert everything["count"] == sql("SELECT count(*) FROM eventlog WHERE actor_id = %s", [str(john.pk)])[0][0]

    public = client_john.get("/api/public-eventlogs/", {"tool": secret}).json()  # filter_queryset() excludes it
    assert public["count"] == 0 and public["results"] == []
    assert client_john.get(f"/api/public-eventlogs/{hidden}/").status_code == 404
    assert client_john.get("/api/eventlogs/", {"tool": secret}).json()["count"] >= 1


# 6. Messages --------------------------------------------------------------------

def test_values_render_with_str_and_a_bare_model_renders_empty(client_john, john):
    cert = Certificate.objects.create(name="Certificate A")
    moment = datetime.datetime(2023, 11, 12, 15, 26, 12, tzinfo=datetime.timezone.utc)
    event_id = EventLogService.log(
        "flag={flag} data={data} at={at} price={price} none_attr={doc__owner} item=[{item}] user=[{user}]",
        cert, john, new_tool(), "update",
        values_json={"flag": True, "data": {"a": 1}, "at": moment, "price": decimal.Decimal("1.50"),
                     "doc__owner": Document(title="x"), "item": cert, "user": john},
    )
    expected = ("flag=True data={'a': 1} at=2023-11-12 15:26:12+00:00 price=1.50 none_attr=None item=[] user=[]")
    assert EventLog.objects.get(id=event_id).message == expected
    assert client_john.get(f"/api/eventlogs/{event_id}/").json()["message"] == expected
    # a model attribute that is not a string: str() too (the original formatted it)
    event_id = EventLogService.log("{item__updated_at} {item__pk}", cert, john, "t", "custom",
                                   {"item__updated_at": cert, "item__pk": cert})
    assert EventLog.objects.get(id=event_id).message == f"{cert.updated_at} {cert.pk}"


# 7. Files and every field type ------------------------------------------------------

def specimen(owner, document):
    thing = Specimen(
        name="All", big=2 ** 40, blob=b"\x00\x01\xff", flag=True, maybe=None, day=datetime.date(2023, 11, 12),
        moment=datetime.datetime(2023, 11, 12, 15, 26, 12, 275090, tzinfo=datetime.timezone.utc),
        amount=decimal.Decimal("12.50"), duration=datetime.timedelta(days=-1, seconds=5),
        email="a@example.com", path="/tmp/x", ratio=float("nan"), ip="2001:db8::1", number=-3,
        data={"nested": [1, {"x": None}]}, positive_big=2 ** 50, positive=7, positive_small=1, slug="a-b",
        small=-2, text="{braces} and 'quotes'", clock=datetime.time(15, 26, 12), url="https://example.com/a",
        key=uuid.UUID("12345678-1234-5678-1234-567812345678"), owner=owner, document=document,
        tags=["a", "b,c"], attributes={"k": "v", "n": None}, nickname="MiXeD",
        integer_range=NumericRange(1, 10), big_range=NumericRange(2 ** 40, None),
        decimal_range=NumericRange(decimal.Decimal("0.5"), decimal.Decimal("1.5"), "[]"),
        period=DateTimeTZRange(datetime.datetime(2023, 1, 1, tzinfo=datetime.timezone.utc), None),
        days=DateRange(datetime.date(2023, 1, 1), datetime.date(2023, 2, 1)),
    )
    thing.attachment.save("report.pdf", ContentFile(b"%PDF"), save=False)
    thing.picture.name = "images/photo.png"
    thing.save()
    return thing


def test_models_with_files_and_every_field_type_log_and_list(client_john, john, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    thing = specimen(john, Document.objects.create(title="D"))
    event_id = EventLogService.log("{thing__name} with {thing__attachment}", thing, john, "specimens", "create",
                                   values_json={"thing__name": thing, "thing__attachment": thing, "row": thing})
    event = EventLog.objects.get(id=event_id)
    assert event.message == f"All with {thing.attachment.name}"
    assert (event.object_type, event.object_id) == ("public.example_specimen", str(thing.pk))
    row = event.values_json["row"]  # the row as PostgreSQL's to_jsonb shows it
    assert row["attachment"] == thing.attachment.name and row["picture"] == "images/photo.png"
    assert row["blob"] == "\\x0001ff" and row["amount"] == 12.50 and row["ratio"] == "NaN"
    assert row["duration"] == "-1 days +00:00:05" and row["tags"] == ["a", "b,c"]
    assert row["attributes"] == {"k": "v", "n": None} and row["nickname"] == "MiXeD"
    assert row["integer_range"] == "[1,10)" and row["days"] == "[2023-01-01,2023-02-01)"
    assert row["owner_id"] == john.pk and row["key"] == "12345678-1234-5678-1234-567812345678"
    assert row["moment"] == "2023-11-12T15:26:12.27509+00:00"
    # nickname is a citext column (example/fields.py), compared without regard to case
    assert sql("SELECT atttypid::regtype::text FROM pg_attribute"
               " WHERE attrelid = 'example_specimen'::regclass AND attname = 'nickname'") == [("citext",)]
    assert list(Specimen.objects.filter(nickname="mixed").values_list("pk", flat=True)) == [thing.pk]

    (listed,) = check_results(client_john.get(f"/api/specimens/{thing.pk}/log/").json())
    assert listed["id"] == event_id and listed["object_id"] == thing.pk

    # only some fields loaded, then deleted: the key is still known, nothing is read back
    partial = Specimen.objects.only("id", "name").get(pk=thing.pk)
    partial.delete()
    event = EventLog.objects.get(id=EventLogService.log("{x__name} deleted", partial, john, "specimens", "delete",
                                                        {"x__name": partial}))
    assert (event.object_id, event.message) == (str(thing.pk), "All deleted")


# 8. Timestamps ----------------------------------------------------------------------

def test_timestamps_render_as_drf_does_in_lists_and_details(client_john, paginate_pages):
    tool = new_tool()
    sql("SELECT eventlog_log('ts', tool => %s) FROM generate_series(1, 200)", [tool])
    drf = serializers.DateTimeField()
    expected = {e.id: drf.to_representation(e.timestamp) for e in EventLog.objects.filter(tool=tool)}
    listed = {r["id"]: r["timestamp"] for r in client_john.get("/api/eventlogs/", {"tool": tool}).json()["results"]}
    assert listed == expected
    trailing_zero = [i for i, stamp in expected.items() if stamp.endswith("0Z")]
    assert trailing_zero  # about one in ten: PostgreSQL would have dropped that zero
    for event_id in trailing_zero[:5]:
        assert client_john.get(f"/api/eventlogs/{event_id}/").json()["timestamp"] == listed[event_id]
