"""The admin (eventlog.admin): the read-only log with its filters, search,
counts and date hierarchy; each event's diff and object link; the objects'
History pages with "Revert this change"; staff seeing only the events of
the models they may view. Through Django's test client; the browser test
(test/integration/browser_admin.sh) does the same in Chromium."""
import re
import uuid

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from eventlog import tracking
from eventlog.admin import EventLogAdmin, EventLogHistoryMixin, _EventQuerySet, add_history
from eventlog.models import EventLog
from eventlog.services import EventLogService
from example.models import Certificate, Document

from .conftest import sql

pytestmark = pytest.mark.django_db

LOG = settings.EVENTLOG_APP  # the app label of the log: django_simple_eventlog or eventlog


def url(name, *args, **query):
    path = reverse(f"admin:{name}", args=args)
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return path


def log_url(name, *args, **query):
    return url(f"{LOG}_eventlog_{name}", *args, **query)


def staff(django_user_model, username, *permissions, **names):
    user = django_user_model.objects.create_user(username, password="secret", is_staff=True, **names)
    for perm in permissions:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return django_user_model.objects.get(pk=user.pk)  # no cached permissions


@pytest.fixture
def boss(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.com", "secret", first_name="Big", last_name="Boss")


@pytest.fixture
def clerk(django_user_model):
    return staff(django_user_model, "clerk", f"{LOG}.view_eventlog", "example.view_document", "example.change_document",
                 "example.add_document", "example.delete_document", first_name="Carl", last_name="Clerk")


@pytest.fixture
def reader(django_user_model):
    return staff(django_user_model, "reader", f"{LOG}.view_eventlog", "example.view_document")


@pytest.fixture
def outsider(django_user_model):
    """May open the log and see certificates, not documents."""
    return staff(django_user_model, "outsider", f"{LOG}.view_eventlog", "example.view_certificate")


def login(client, user):
    client.force_login(user)
    return client


def revert(client, history, event_id):
    """POSTs "Revert this change", follows the redirect: (status codes, messages shown)."""
    answer = client.post(history, {"revert": event_id}, follow=True)
    codes = [code for _, code in answer.redirect_chain] + [answer.status_code]
    return codes, [str(m) for m in answer.context["messages"]] if answer.context else []


def shown_ids(response):
    return [event.pk for event in response.context["cl"].result_list]


def history_ids(response):
    return [int(i) for i in re.findall(r'<tr id="event-(\d+)"', response.content.decode())]


def test_the_log_is_read_only_for_everyone(client, boss):
    login(client, boss)
    event_id = EventLogService.log("x", None, boss, "t", "custom")
    assert client.get(log_url("add")).status_code == 403
    assert client.get(log_url("delete", event_id)).status_code == 403
    page = client.get(log_url("change", event_id))
    assert page.status_code == 200 and b'name="_save"' not in page.content  # a view, no form to save
    assert client.post(log_url("change", event_id), {"message": "forged"}).status_code == 403
    listing = client.get(log_url("changelist"))
    assert listing.status_code == 200 and b"action-checkbox" not in listing.content  # no actions, no "delete selected"
    # no facet counts (Django 5.0+): they would count every event once per filter value
    if hasattr(admin, "ShowFacets"):
        faceted = client.get(log_url("changelist", _facets="True"))
        assert b"Show counts" not in faceted.content and b"Hide counts" not in faceted.content
    assert EventLog.objects.get(pk=event_id).message == "x"
    model_admin = admin.site._registry[EventLog]
    request = listing.wsgi_request
    assert not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
                or model_admin.has_delete_permission(request))


def test_filters_search_and_exact_counts(client, boss, clerk):
    login(client, boss)
    tool = f"t-{uuid.uuid4().hex[:8]}"
    doc = Document.objects.create(title="Filtered")
    logged = [EventLogService.log(f"note-{i}-{tool} by the clerk", doc, clerk, tool, "review") for i in range(3)]
    Document.objects.filter(pk=doc.pk).update(title="Filtered 2")

    answer = client.get(log_url("changelist", tool=tool))
    assert shown_ids(answer) == logged[::-1]
    assert answer.context["cl"].result_count == 3
    # the filters offer the values the counts tables hold
    choices = {spec.parameter_name: [c["display"] for c in spec.choices(answer.context["cl"])]
               for spec in answer.context["cl"].filter_specs}
    assert tool in choices["tool"] and "review" in choices["action"]
    assert "Carl Clerk (clerk)" in choices["actor"] and "Carl Clerk" in choices["actor_name"]
    assert "Documents (example)" in choices["object_type"]

    assert shown_ids(client.get(log_url("changelist", q=f"note-1-{tool}"))) == [logged[1]]
    by_id = shown_ids(client.get(log_url("changelist", q=str(doc.pk))))
    assert set(logged) < set(by_id) and all(EventLog.objects.get(pk=i).object_id == str(doc.pk) for i in by_id)
    by_actor = client.get(log_url("changelist", actor=clerk.pk, tool=tool))
    assert shown_ids(by_actor) == logged[::-1]
    assert shown_ids(client.get(log_url("changelist", actor_name="Carl+Clerk", tool=tool))) == logged[::-1]
    everything = client.get(log_url("changelist"))
    assert everything.context["cl"].result_count == sql("SELECT count(*) FROM eventlog")[0][0]


def test_the_actor_filter_follows_the_users_key(client, boss, clerk, django_user_model):
    tool = f"t-{uuid.uuid4().hex[:8]}"
    namesake = staff(django_user_model, "carl2", first_name="Carl", last_name="Clerk")  # the same name
    before = [EventLogService.log("before", None, clerk, tool, "review") for _ in range(2)]
    other = EventLogService.log("the namesake's", None, namesake, tool, "review")
    clerk.last_name = "Renamed"
    clerk.save()
    after = EventLogService.log("after", None, clerk, tool, "review")
    login(client, boss)
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(log_url("changelist", actor=clerk.pk))
    assert shown_ids(answer) == [after] + before[::-1]  # before and after the rename, never the namesake's
    assert answer.context["cl"].result_count == 3
    assert any("eventlog_counts" in q["sql"] for q in queries.captured_queries)  # counted by actor_id
    choices = {spec.parameter_name: [(c["display"], c["query_string"]) for c in spec.choices(answer.context["cl"])]
               for spec in answer.context["cl"].filter_specs}
    labels = [label for label, _ in choices["actor"]]
    assert "Carl Renamed (clerk)" in labels and "Carl Clerk (carl2)" in labels
    assert shown_ids(client.get(log_url("changelist", actor=namesake.pk))) == [other]
    assert shown_ids(client.get(log_url("changelist", actor_name="Carl+Clerk", tool=tool))) == [other] + before[::-1]
    # the actor links to the user's admin page
    page = client.get(log_url("change", after)).content.decode()
    assert f'href="{url("example_user_change", clerk.pk)}"' in page


def test_counts_come_from_the_counts_tables(client, outsider, boss):
    tool = f"t-{uuid.uuid4().hex[:8]}"
    cert, doc = Certificate.objects.create(name="C"), Document.objects.create(title="D")
    for i in range(3):
        EventLogService.log("about cert", cert, boss, tool, "review")
        EventLogService.log("about doc", doc, boss, tool, "review")  # not for the outsider
    EventLogService.log("about nothing", None, boss, tool, "review")
    login(client, outsider)
    for query, expected in (({"tool": tool}, 4), ({}, None)):
        with CaptureQueriesContext(connection) as queries:
            answer = client.get(log_url("changelist", **query))
        counted = [q["sql"] for q in queries.captured_queries if "eventlog_counts" in q["sql"]]
        assert counted, "the count was not read from the counts tables"
        assert not [q["sql"] for q in queries.captured_queries if re.search(r'COUNT\(\*\).*FROM "eventlog"', q["sql"])]
        visible = sql("SELECT count(*) FROM eventlog WHERE (object_table IS NULL OR object_table <> 'example_document'::regclass)"
                      + (" AND tool = %s" if query else ""), [tool] if query else [])[0][0]
        assert answer.context["cl"].result_count == visible
        if expected is not None:
            assert visible == expected


def test_the_date_hierarchy_probes_periods(client, boss):
    # events the log's owner wrote by hand, over three years
    moments = ["2021-03-04 10:00+00", "2021-03-20 23:30+00", "2021-11-01 00:00+00", "2023-01-01 12:00+00", "2024-07-15 08:00+00"]
    tool = f"t-{uuid.uuid4().hex[:8]}"
    for moment in moments:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO eventlog (\"timestamp\", message, tool, action) VALUES (%s, 'old', %s, 'custom')",
                           [moment, tool])
    plain = EventLog.objects.filter(tool=tool)
    probed = _EventQuerySet(model=EventLog, query=plain.query, using=plain.db)
    for kind in ("year", "month", "day"):
        assert list(probed.datetimes("timestamp", kind)) == list(plain.datetimes("timestamp", kind)), kind
    in_2021 = probed.filter(timestamp__year=2021)
    assert list(in_2021.datetimes("timestamp", "month")) == list(plain.filter(timestamp__year=2021).datetimes("timestamp", "month"))
    login(client, boss)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(log_url("changelist", tool=tool)).content.decode()
    assert "timestamp__year=2021" in page and "timestamp__year=2023" in page and "timestamp__year=2022" not in page
    # the admin's date hierarchy takes the probes, not Django's truncation of every event's timestamp
    assert not [q["sql"] for q in queries.captured_queries if "DATE_TRUNC" in q["sql"].upper()]
    assert [q["sql"] for q in queries.captured_queries if "ROWS FROM" in q["sql"]]
    page = client.get(log_url("changelist", tool=tool, timestamp__year=2021)).content.decode()
    assert "timestamp__month=3" in page and "timestamp__month=11" in page and "timestamp__month=4" not in page


def test_an_events_page_shows_the_diff_and_links_to_the_object(client, clerk):
    login(client, clerk)
    doc = Document.objects.create(title="Before", status="draft")
    Document.objects.filter(pk=doc.pk).update(title="After", status="final")
    event = EventLog.objects.filter(object_type="public.example_document", object_id=str(doc.pk), action="update").get()
    page = client.get(log_url("change", event.pk)).content.decode()
    table = re.search(r'<table class="eventlog-changes">.*?</table>', page, re.S).group(0)
    rows = re.findall(r'<th scope="row" title="(\w+)">[^<]*</th><td class="eventlog-old">([^<]*)</td><td class="eventlog-new">([^<]*)</td>', table)
    assert rows == [("title", "Before", "After"), ("status", "draft", "final")]  # the model's field order
    change_url = url("example_document_change", doc.pk)
    assert f'href="{change_url}"' in page and url("example_document_history", doc.pk) in page
    listing = client.get(log_url("changelist", object_type="public.example_document")).content.decode()
    assert f'href="{change_url}"' in listing
    # the event's own History button leads to its object's history, at the event
    assert client.get(log_url("history", event.pk))["Location"] == url("example_document_history", doc.pk) + f"#event-{event.pk}"
    doc.delete()
    page = client.get(log_url("change", event.pk)).content.decode()
    assert f'href="{change_url}"' not in page and "(no longer exists)" in page


def test_the_history_page_shows_every_client_with_the_extensions_counts(client, clerk, boss):
    doc = Document.objects.create(title="v1")  # the ORM, no request: the database role
    Document.objects.filter(pk=doc.pk).update(title="v2")
    with connection.cursor() as cursor:  # as psql would
        cursor.execute("UPDATE example_document SET status = 'raw' WHERE id = %s", [doc.pk])
    app_event = EventLogService.log("{doc__title} reviewed", doc, boss, "reviews", "review", values_json={"doc__title": doc})
    expected = [i for (i,) in sql("SELECT id FROM eventlog_for_object('public.example_document', %s)", [str(doc.pk)])]
    assert expected[0] == app_event and len(expected) == 4

    login(client, clerk)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url("example_document_history", doc.pk))
    assert page.status_code == 200
    assert history_ids(page) == expected
    body = page.content.decode()
    assert "4 events" in body and "v1 reviewed" in body and "Revert this change" in body
    # the events come from eventlog_page (count and page), their other columns by id: nothing else reads the log
    assert any("eventlog_page(" in q["sql"] for q in queries.captured_queries)
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "eventlog"' in q["sql"]]
    assert reads and all('WHERE "eventlog"."id" IN (' in q for q in reads), reads

    # pages of 3: the count stays the extension's, the second page has the rest
    model_admin = admin.site._registry[Document]
    model_admin.eventlog_history_per_page = 3
    try:
        first = client.get(url("example_document_history", doc.pk))
        second = client.get(url("example_document_history", doc.pk, p=2))
        beyond = client.get(url("example_document_history", doc.pk, p=9))
    finally:
        del model_admin.eventlog_history_per_page
    assert history_ids(first) == expected[:3] and history_ids(second) == expected[3:]
    assert history_ids(beyond) == expected[3:]  # past the end: the last page, as Django's paginators
    assert "4 events" in second.content.decode() and 'href="?p=1"' in second.content.decode()
    # the change form's own History link leads there
    assert url("example_document_history", doc.pk) in client.get(url("example_document_change", doc.pk)).content.decode()


def test_revert_and_the_extensions_refusals_as_messages(client, clerk):
    login(client, clerk)
    doc = Document.objects.create(title="Original", status="draft")
    Document.objects.filter(pk=doc.pk).update(title="Changed")
    update = EventLog.objects.filter(object_id=str(doc.pk), object_type="public.example_document", action="update").get()
    history = url("example_document_history", doc.pk)

    codes, shown = revert(client, history, update.pk)
    assert codes == [302, 200]
    assert Document.objects.get(pk=doc.pk).title == "Original"
    revert_event = EventLog.objects.filter(object_id=str(doc.pk), object_type="public.example_document").first()
    assert shown == [f"Event {update.pk} (update) was reverted; the revert is event {revert_event.pk}."]
    assert (revert_event.action, revert_event.actor, revert_event.context["revert_of"]) == ("update", "Carl Clerk", update.pk)

    # the row changed since: the extension's refusal (55000), shown as a message, nothing changed
    codes, shown = revert(client, history, update.pk)
    assert codes == [302, 200]
    assert shown == [f"The change was not reverted: eventlog_revert: the row of event {update.pk} changed since (title)"]
    assert Document.objects.get(pk=doc.pk).title == "Original"

    # an event that is not a tracked change (22023): refused, not offered either
    app_event = EventLogService.log("looked at", doc, clerk, "reviews", "update")
    assert f'value="{app_event}"' not in client.get(history).content.decode()
    codes, shown = revert(client, history, app_event)
    assert codes == [302, 200] and "is not a tracked create, update or delete" in shown[0]
    # an event of another object is never reverted from this page
    other = Document.objects.create(title="Other")
    other_create = EventLog.objects.get(object_id=str(other.pk), object_type="public.example_document", action="create")
    assert revert(client, history, other_create.pk)[1] == ["That event is not one of this object's."]
    assert Document.objects.filter(pk=other.pk).exists()

    # deleted: its history is still there; undoing the delete brings it back, an update of it is "gone"
    gone = Document.objects.create(title="Gone")
    Document.objects.filter(pk=gone.pk).update(title="Gone 2")
    gone_update = EventLog.objects.get(object_id=str(gone.pk), object_type="public.example_document", action="update")
    Document.objects.filter(pk=gone.pk).delete()
    gone_history = url("example_document_history", gone.pk)
    page = client.get(gone_history)
    assert page.status_code == 200 and "This object no longer exists" in page.content.decode()
    codes, shown = revert(client, gone_history, gone_update.pk)
    assert codes == [302, 200] and shown == [
        f"The change was not reverted: eventlog_revert: the row of event {gone_update.pk} no longer exists in public.example_document"]
    # undoing its delete: refused by the table (updated_at, excluded from tracking, has no default
    # in the database), shown as a message too
    delete = EventLog.objects.get(object_id=str(gone.pk), object_type="public.example_document", action="delete")
    codes, shown = revert(client, gone_history, delete.pk)
    assert codes == [302, 200] and shown == ['The change was not reverted: null value in column "updated_at" of relation '
                                             '"example_document" violates not-null constraint']
    assert not Document.objects.filter(pk=gone.pk).exists()


def test_undoing_a_delete_and_a_create(client, django_user_model):
    tracking.track(Certificate, tool="certificates")  # every column recorded: a deleted row can come back
    login(client, staff(django_user_model, "certs", "example.view_certificate", "example.change_certificate",
                        "example.add_certificate", "example.delete_certificate"))
    cert = Certificate.objects.create(name="Back", status="valid")
    history = url("example_certificate_history", cert.pk)
    create = EventLog.objects.get(object_id=str(cert.pk), object_type="public.example_certificate", action="create")
    Certificate.objects.filter(pk=cert.pk).delete()
    delete = EventLog.objects.get(object_id=str(cert.pk), object_type="public.example_certificate", action="delete")
    page = client.get(history).content.decode()
    assert f'value="{delete.pk}"' in page and f'value="{create.pk}"' not in page  # a create of a deleted row: nothing to undo
    codes, shown = revert(client, history, delete.pk)
    assert shown[0].startswith(f"Event {delete.pk} (delete) was reverted")
    again = Certificate.objects.get(pk=cert.pk)
    assert (again.name, again.status) == ("Back", "valid")
    # then undo its creation: the row is deleted again
    codes, shown = revert(client, history, create.pk)
    assert shown[0].startswith(f"Event {create.pk} (create) was reverted")
    assert not Certificate.objects.filter(pk=cert.pk).exists()


def test_revert_needs_the_permission_to_change(client, reader):
    login(client, reader)
    doc = Document.objects.create(title="Keep")
    Document.objects.filter(pk=doc.pk).update(title="Kept")
    update = EventLog.objects.get(object_id=str(doc.pk), object_type="public.example_document", action="update")
    history = url("example_document_history", doc.pk)
    page = client.get(history)
    assert page.status_code == 200 and history_ids(page) and "Revert this change" not in page.content.decode()
    assert client.post(history, {"revert": update.pk}).status_code == 403
    assert Document.objects.get(pk=doc.pk).title == "Kept"


def test_staff_see_only_the_events_of_models_they_may_view(client, outsider, clerk):
    doc, cert = Document.objects.create(title="Secret"), Certificate.objects.create(name="Public")
    doc_event = EventLogService.log("about doc", doc, clerk, "mixed", "review")
    cert_event = EventLogService.log("about cert", cert, clerk, "mixed", "review")
    free_event = EventLogService.log("about nothing", None, clerk, "mixed", "review")
    tracked = [i for (i,) in sql("SELECT id FROM eventlog_for_object('public.example_document', %s)", [str(doc.pk)])]

    login(client, outsider)
    answer = client.get(log_url("changelist", tool="mixed"))
    assert shown_ids(answer) == [free_event, cert_event]
    everything = client.get(log_url("changelist", all=""))
    assert not set(tracked) & set(shown_ids(everything))
    assert "public.example_document" not in [e.object_type for e in everything.context["cl"].result_list]
    choices = {spec.parameter_name: [c["display"] for c in spec.choices(answer.context["cl"])]
               for spec in answer.context["cl"].filter_specs}
    assert "Documents (example)" not in choices["object_type"]
    assert client.get(log_url("changelist", object_type="public.example_document")).context["cl"].result_count == 0
    for event_id in (doc_event, tracked[0]):
        assert client.get(log_url("change", event_id)).status_code in (302, 404)  # Django: "doesn't exist"
    assert client.get(log_url("change", cert_event)).status_code == 200
    assert client.get(url("example_document_history", doc.pk)).status_code == 403

    # the clerk may view documents: sees them
    client.force_login(clerk)
    assert doc_event in shown_ids(client.get(log_url("changelist", tool="mixed")))


def test_without_tracking_or_events_the_history_is_djangos(client, boss):
    login(client, boss)
    cert = Certificate.objects.create(name="Untracked")
    page = client.get(url("example_certificate_history", cert.pk))
    assert page.status_code == 200 and 'id="eventlog-history"' not in page.content.decode()
    EventLogService.log("checked", cert, boss, "certs", "review")
    page = client.get(url("example_certificate_history", cert.pk))
    assert 'id="eventlog-history"' in page.content.decode() and "checked" in page.content.decode()
    own = client.get(url("example_certificate_history", cert.pk, source="admin"))
    assert 'id="eventlog-history"' not in own.content.decode()


def test_the_history_is_put_on_every_model_admin_but_its_own():
    assert isinstance(admin.site._registry[Document], EventLogHistoryMixin)
    assert type(admin.site._registry[Document]).__name__ == "DocumentAdmin"
    assert isinstance(admin.site._registry[EventLog], EventLogAdmin)
    assert not isinstance(admin.site._registry[EventLog], EventLogHistoryMixin)

    class OwnHistory(admin.ModelAdmin):
        def history_view(self, request, object_id, extra_context=None):
            return None

    site = admin.AdminSite(name="other")
    site.register(Document, OwnHistory)
    site.register(Certificate)
    add_history(site)
    site.get_urls()
    assert not isinstance(site._registry[Document], EventLogHistoryMixin)
    assert isinstance(site._registry[Certificate], EventLogHistoryMixin)

