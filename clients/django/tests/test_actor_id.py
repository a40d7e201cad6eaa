"""Who acted, by a key that does not change (issue 22): the middleware, the
context manager and EventLogService.log record the user's primary key as
`actor_id`; `?actor=<pk>`, `.filter(actor=user)` and the narrowed
ViewSets match it, as the original's foreign key did. A renamed user keeps
their events; two users with one name never share theirs; `?actor_name=`
still filters by the name recorded."""
import pytest
from django.db import connection
from rest_framework.test import APIClient

from eventlog.actor import eventlog_actor
from eventlog.models import EventLog
from eventlog.services import EventLogService
from example.models import Certificate, Document

from .conftest import check_results, sql

pytestmark = pytest.mark.django_db(transaction=True)


def listed(client, **params):
    answer = client.get("/api/eventlogs/", params)
    assert answer.status_code == 200, answer.content
    return {r["id"] for r in check_results(answer.json())}


def keys_of(ids):
    return dict(sql("SELECT id, actor_id FROM eventlog WHERE id = ANY(%s)", [sorted(ids)]))


def login(user):
    client = APIClient()
    client.force_login(user)
    return client


def test_a_renamed_user_keeps_their_events(django_user_model):
    john = django_user_model.objects.create_user("john.k", password="secret", first_name="John", last_name="Doe")
    client = login(john)
    before = set()
    # through the API: the README's ViewSet logs (EventLogService.log, actor=request.user) ...
    pk = client.post("/api/certificates/", {"name": "Before"}, format="json").json()["id"]
    assert client.put(f"/api/certificates/{pk}/", {"name": "Before", "status": "x"}, format="json").status_code == 200
    # ... and tracked changes, whose key comes from the middleware
    doc = client.post("/api/documents/", {"title": "Spec"}, format="json").json()["id"]
    assert client.post("/api/documents/archive-all/").status_code == 200
    with eventlog_actor(john):  # outside requests
        Document.objects.filter(pk=doc).update(title="Spec 2")
    before |= {i for (i,) in sql("SELECT id FROM eventlog WHERE actor = 'John Doe' AND actor_id = %s", [str(john.pk)])}
    assert len(before) == 5 and set(keys_of(before).values()) == {str(john.pk)}

    john.first_name, john.last_name = "Johnny", "Smith"
    john.save()
    client = login(john)
    assert client.put(f"/api/certificates/{pk}/", {"name": "After", "status": "y"}, format="json").status_code == 200
    after = {EventLogService.log("renamed", None, john, "people", "custom")}
    after |= {i for (i,) in sql("SELECT id FROM eventlog WHERE actor = 'Johnny Smith'")}
    assert len(after) == 2

    everything = before | after
    assert listed(client, actor=john.pk) == everything
    assert set(EventLog.objects.filter(actor=john).values_list("id", flat=True)) == everything
    assert {i for (i,) in sql("SELECT id FROM eventlog_for_actor_id(%s)", [str(john.pk)])} == everything
    answer = client.get("/api/my-eventlogs/").json()  # the project's narrowed log: .filter(actor=self.request.user)
    assert {r["id"] for r in answer} == everything
    # by name: the name recorded at the time
    assert listed(client, actor_name="John Doe") >= before and not listed(client, actor_name="John Doe") & after
    assert listed(client, actor_name="Johnny Smith") == after


def test_two_users_with_one_name_never_share_their_events(django_user_model):
    first = django_user_model.objects.create_user("alex1", password="secret", first_name="Alex", last_name="Kim")
    second = django_user_model.objects.create_user("alex2", password="secret", first_name="Alex", last_name="Kim")
    cert = Certificate.objects.create(name="Shared")
    first_logged = EventLogService.log("first's", cert, first, "kims", "review")
    second_logged = EventLogService.log("second's", cert, second, "kims", "review")
    mine, theirs = {first_logged}, {second_logged}
    doc = Document.objects.create(title="Both")
    assert login(first).post(f"/api/documents/{doc.pk}/raw-rename/", {"title": "by first"}, format="json").status_code == 200
    basic = APIClient()
    basic.credentials(HTTP_AUTHORIZATION="Basic YWxleDI6c2VjcmV0")  # alex2:secret, DRF's authentication only
    assert basic.post(f"/api/documents/{doc.pk}/raw-rename/", {"title": "by second"}, format="json").status_code == 200
    tracked = sql("SELECT id, actor_id FROM eventlog_for_object('public.example_document', %s) LIMIT 2", [str(doc.pk)])
    assert [key for _, key in tracked] == [str(second.pk), str(first.pk)]
    theirs.add(tracked[0][0])
    mine.add(tracked[1][0])
    nobody = EventLogService.log("a job", cert, "nightly job", "kims", "review")  # a name: no key

    client = login(first)
    assert listed(client, actor=first.pk) == mine
    assert listed(client, actor=second.pk) == theirs
    assert listed(client, actor_name="Alex Kim") >= mine | theirs
    assert set(EventLog.objects.filter(actor=second).values_list("id", flat=True)) == theirs
    assert set(EventLog.objects.filter(actor__in=[first, second]).values_list("id", flat=True)) == mine | theirs
    # exclude() keeps the events with no key, as the original's foreign key kept those with no actor
    kims = EventLog.objects.filter(tool="kims")
    assert set(kims.exclude(actor=first).values_list("id", flat=True)) == {second_logged, nobody}
    assert {r["id"] for r in client.get("/api/my-eventlogs/").json()} == mine
    assert {r["id"] for r in basic.get("/api/my-eventlogs/").json()} == theirs


def test_where_each_key_comes_from(django_user_model):
    jane = django_user_model.objects.create_user("jane.k", password="secret", first_name="Jane", last_name="Roe")
    doc = Document.objects.create(title="K")  # no request, no actor: the role, no key
    logged = EventLogService.log("by a user", doc, jane, "k", "custom")
    named = EventLogService.log("by a name", doc, "robot", "k", "custom")
    nobody = EventLogService.log("by nobody", doc, None, "k", "custom")
    assert keys_of({logged, named, nobody}) == {logged: str(jane.pk), named: None, nobody: None}
    assert sql("SELECT actor_id FROM eventlog_for_object('public.example_document', %s) WHERE action = 'create'",
               [str(doc.pk)]) == [(None,)]
    # the request's user, for the request's transaction only
    client = login(jane)
    assert client.post("/api/documents/archive-all/").status_code == 200
    assert sql("SELECT actor, actor_id FROM eventlog_for_object('public.example_document', %s) LIMIT 1", [str(doc.pk)]) == [
        ("Jane Roe", str(jane.pk))]
    assert sql("SELECT current_setting('eventlog.actor_id', true)")[0][0] in (None, "")
    assert not connection.in_atomic_block
