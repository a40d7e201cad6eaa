"""The original README's examples through HTTP, the REST answers' shape, and
trigger-captured changes carrying the request's user. These tests commit
(transaction=True) so that what a request leaves on its connection is seen."""
import json
import pytest
from django.db import connection, transaction

from eventlog.actor import eventlog_actor
from eventlog.services import EventLogService
from example.models import Certificate, Document

from .conftest import check_results, content_type_id, sql

pytestmark = pytest.mark.django_db(transaction=True)


def actor_setting():
    """eventlog.actor, and eventlog.actor_id when it is set."""
    name, key = sql("SELECT current_setting('eventlog.actor', true), current_setting('eventlog.actor_id', true)")[0]
    return (name or None, key) if key else (name or None)


def test_readme_examples_and_the_per_object_log(client_john):
    # the serializer example: create
    created = client_john.post("/api/certificates/", {"name": "Certificate A", "status": "active"}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    # the ViewSet example: update with a diff
    updated = client_john.put(f"/api/certificates/{pk}/", {"name": "Certificate A", "status": "inactive"}, format="json")
    assert updated.status_code == 200, updated.content

    # no DEFAULT_PAGINATION_CLASS in these settings: a plain array, as DRF (and the original) answer
    answer = check_results(client_john.get(f"/api/certificates/{pk}/log/").json())
    assert len(answer) == 2
    newest, oldest = answer
    certificate = content_type_id(Certificate)
    assert {k: newest[k] for k in newest if k not in ("id", "timestamp")} == {
        "actor": "John Doe",
        "message": "Item Certificate A was updated by John Doe.",
        "object_id": pk,
        "tool": "example_feature",
        "action": "update",
        "changes": {"new_value": {"status": "inactive"}, "old_value": {"status": "active"}},
        "object_type": certificate,
    }
    assert {k: oldest[k] for k in oldest if k not in ("id", "timestamp")} == {
        "actor": "John Doe",
        "message": "Created a new request",
        "object_id": pk,
        "tool": "example_request",
        "action": "create",
        "changes": None,
        "object_type": certificate,
    }
    assert newest["id"] > oldest["id"] and newest["timestamp"] >= oldest["timestamp"]

    # the ViewSet example: perform_destroy logs the deletion under the deleted row's id
    assert client_john.delete(f"/api/certificates/{pk}/").status_code == 204
    rows = sql("SELECT message, action, object_id, actor FROM eventlog_for_object('public.example_certificate', %s)", [str(pk)])
    assert rows[0] == ("Item Certificate A was deleted by John Doe.", "delete", str(pk), "John Doe")
    assert len(rows) == 3


def test_eventlogs_list_and_filters(client_john, basic_jane, jane):
    pks = [client_john.post("/api/certificates/", {"name": f"C{i}"}, format="json").json()["id"] for i in range(3)]
    for pk in pks:
        assert basic_jane.patch(f"/api/certificates/{pk}/", {"status": "revoked"}, format="json").status_code == 200

    answer = check_results(client_john.get("/api/eventlogs/", {"tool": "example_feature"}).json())
    assert len(answer) == sql("SELECT count(*) FROM eventlog WHERE tool = 'example_feature'")[0][0] >= 3
    assert {r["tool"] for r in answer} == {"example_feature"}
    assert [r["id"] for r in answer] == [i for (i,) in sql(
        "SELECT id FROM eventlog WHERE tool = 'example_feature' ORDER BY timestamp DESC, id DESC")]  # newest first
    assert answer[0]["object_id"] == pks[-1]
    assert answer[0]["actor"] == "Jane Roe"  # DRF basic authentication

    one = check_results(client_john.get("/api/eventlogs/", {"object_type": content_type_id(Certificate),
                                                            "object_id": pks[1], "action": "update"}).json())
    assert len(one) == 1 and one[0]["object_id"] == pks[1]
    by_actor = client_john.get("/api/eventlogs/", {"actor": jane.pk, "tool": "example_feature"}).json()
    assert len(by_actor) == sql("SELECT count(*) FROM eventlog WHERE actor_id = %s AND tool = 'example_feature'",
                                [str(jane.pk)])[0][0] >= 3
    by_name = client_john.get("/api/eventlogs/", {"actor_name": "Jane Roe", "tool": "example_feature"}).json()
    assert [r for r in by_name if r["id"] in {a["id"] for a in by_actor}] == by_actor  # (and earlier tests' Jane Roes)
    assert client_john.get("/api/eventlogs/", {"tool": "no such tool"}).json() == []

    detail = client_john.get(f"/api/eventlogs/{answer[0]['id']}/").json()
    assert detail == answer[0]  # the same shape as the list's results


def test_bulk_and_raw_sql_on_a_tracked_model_carry_the_requests_user(client_john, basic_jane):
    pk = client_john.post("/api/documents/", {"title": "Spec"}, format="json").json()["id"]
    other = Document.objects.create(title="Notes")  # no request: the database role is the actor

    assert client_john.post("/api/documents/archive-all/").json() == {"archived": 2}  # QuerySet.update()
    assert basic_jane.post(f"/api/documents/{pk}/raw-rename/", {"title": "Spec v2"}, format="json").json() == {"renamed": 1}
    doc = Document.objects.get(pk=pk)
    EventLogService.log("{doc__title} reviewed", doc, "Reviewer", "reviews", "review", values_json={"doc__title": doc})

    answer = check_results(client_john.get(f"/api/documents/{pk}/log/").json())
    got = [(r["action"], r["actor"], r["tool"], r["message"], r["changes"]) for r in answer]
    assert got == [
        ("review", "Reviewer", "reviews", "Spec v2 reviewed", None),
        ("update", "Jane Roe", "documents", "Spec v2: archived -> archived by Jane Roe",
         {"old_value": {"title": "Spec"}, "new_value": {"title": "Spec v2"}}),
        ("update", "John Doe", "documents", "Spec: draft -> archived by John Doe",
         {"old_value": {"status": "draft"}, "new_value": {"status": "archived"}}),
        ("create", "John Doe", "documents", got[3][3], got[3][4]),
    ]
    assert got[3][4]["new_value"]["title"] == "Spec" and "updated_at" not in got[3][4]["new_value"]
    assert {r["object_id"] for r in answer} == {pk}
    assert {r["object_type"] for r in answer} == {content_type_id(Document)}

    others = sql("SELECT action, actor FROM eventlog_for_object('public.example_document', %s)", [str(other.pk)])
    assert others == [("update", "John Doe"), ("create", "postgres")]


def test_the_actor_setting_ends_with_the_request(client_john, basic_jane, jane):
    doc = Document.objects.create(title="T")
    assert client_john.post("/api/documents/archive-all/").status_code == 200
    # same connection as the request (the test client keeps it): nothing left on it
    assert actor_setting() is None
    # an autocommit write after the request is not attributed to the request's user
    Document.objects.filter(pk=doc.pk).update(title="after")
    assert sql("SELECT actor FROM eventlog_for_object('public.example_document', %s) LIMIT 1", [str(doc.pk)]) == [("postgres",)]
    assert EventLog_actor_of(EventLogService.log("no actor", doc, None, "t", "custom")) == "postgres"

    # a request that fails rolls back its events and leaves nothing either
    with pytest.raises(RuntimeError):
        basic_jane.post(f"/api/documents/{doc.pk}/raw-rename/", {"title": "zzz", "fail": True}, format="json")
    assert actor_setting() is None
    assert sql("SELECT count(*) FROM eventlog WHERE actor = 'Jane Roe' AND object_type = 'public.example_document' AND object_id = %s", [str(doc.pk)]) == [(0,)]

    assert Document.objects.get(pk=doc.pk).title == "after"
    assert basic_jane.post(f"/api/documents/{doc.pk}/raw-rename/", {"title": "x"}, format="json").status_code == 200
    assert sql("SELECT actor FROM eventlog_for_object('public.example_document', %s) LIMIT 1", [str(doc.pk)]) == [("Jane Roe",)]
    assert actor_setting() is None


def test_the_request_is_the_context_of_its_events(client_john):
    doc = Document.objects.create(title="C")
    answer = client_john.post("/api/documents/archive-all/", HTTP_X_REQUEST_ID="req-42")
    assert answer.status_code == 200
    contexts = sql("SELECT DISTINCT context FROM eventlog WHERE object_type = 'public.example_document' AND object_id = %s "
                   "AND action = 'update'", [str(doc.pk)])
    assert [json.loads(c) if isinstance(c, str) else c for (c,) in contexts] == [
        {"request_id": "req-42", "path": "/api/documents/archive-all/", "method": "POST"}]
    # without the header: a fresh id per request; nothing left on the connection after it
    doc2 = Document.objects.create(title="D")
    assert client_john.post("/api/documents/archive-all/").status_code == 200
    assert sql("SELECT current_setting('eventlog.context', true)") in ([("",)], [(None,)])
    ids = sql("SELECT DISTINCT context->>'request_id' FROM eventlog WHERE object_type = 'public.example_document' "
              "AND object_id = %s AND action = 'update'", [str(doc2.pk)])
    assert len(ids) == 1 and len(ids[0][0]) == 32 and ids[0][0] != "req-42"


def EventLog_actor_of(event_id):
    return sql("SELECT actor FROM eventlog WHERE id = %s", [event_id])[0][0]


def test_the_context_manager_is_transaction_scoped(jane, john):
    doc = Document.objects.create(title="T")
    with eventlog_actor(jane):
        Document.objects.filter(pk=doc.pk).update(status="a")
        assert actor_setting() == ("Jane Roe", str(jane.pk))
    assert actor_setting() is None  # autocommit: the block's transaction ended

    with transaction.atomic():
        with eventlog_actor("outer"):
            with eventlog_actor(john):
                Document.objects.filter(pk=doc.pk).update(status="b")
                assert actor_setting() == ("John Doe", str(john.pk))
            assert actor_setting() == "outer"  # restored (a name: no key)
            Document.objects.filter(pk=doc.pk).update(status="c")
        assert actor_setting() is None
    assert actor_setting() is None
    actors = sql("SELECT actor, actor_id FROM eventlog_for_object('public.example_document', %s)", [str(doc.pk)])
    assert actors == [("outer", None), ("John Doe", str(john.pk)), ("Jane Roe", str(jane.pk)), ("postgres", None)]
    assert not connection.in_atomic_block


def test_with_atomic_requests_too(basic_jane):
    doc = Document.objects.create(title="A")
    connection.settings_dict["ATOMIC_REQUESTS"] = True  # read by Django's handler on each request
    try:
        assert basic_jane.post(f"/api/documents/{doc.pk}/raw-rename/", {"title": "B"}, format="json").status_code == 200
        with pytest.raises(RuntimeError):
            basic_jane.post(f"/api/documents/{doc.pk}/raw-rename/", {"title": "C", "fail": True}, format="json")
    finally:
        connection.settings_dict["ATOMIC_REQUESTS"] = False
    assert actor_setting() is None
    rows = sql("SELECT actor, message FROM eventlog_for_object('public.example_document', %s)", [str(doc.pk)])
    assert rows == [("Jane Roe", "B: draft -> draft by Jane Roe"), ("postgres", rows[1][1])]
    assert Document.objects.get(pk=doc.pk).title == "B"


@pytest.mark.parametrize("atomic_requests", [False, True])
def test_a_failed_savepoint_inside_a_request(basic_jane, atomic_requests):
    doc = Document.objects.create(title="A")
    connection.settings_dict["ATOMIC_REQUESTS"] = atomic_requests
    try:
        answer = basic_jane.post(f"/api/documents/{doc.pk}/retitle-after-conflict/", {"title": "B"}, format="json")
    finally:
        connection.settings_dict["ATOMIC_REQUESTS"] = False
    assert answer.json() == {"updated": 1}
    assert sql("SELECT actor FROM eventlog_for_object('public.example_document', %s) LIMIT 1", [str(doc.pk)]) == [("Jane Roe",)]
    assert actor_setting() is None
