"""The lists under the project's DRF pagination, as the original (issue point
2): DEFAULT_PAGINATION_CLASS for /api/eventlogs/, the host ViewSet's paginator
for /<resource>/<pk>/log/. Counting and paging are SQL (COUNT, LIMIT/OFFSET
or a keyset on the log's indexes), never rows loaded into Python."""
import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.pagination import CursorPagination, LimitOffsetPagination, PageNumberPagination

from django_simple_eventlog.services import EventLogService
from example.models import Certificate

from .conftest import check_results, sql

pytestmark = pytest.mark.django_db(transaction=True)


class Pages(PageNumberPagination):
    page_size = 2


class Limits(LimitOffsetPagination):
    default_limit = 2


class TimestampCursor(CursorPagination):
    page_size = 2
    ordering = "-timestamp"


class IdCursor(CursorPagination):  # for /log/: it orders the host's objects too, which have no timestamp
    page_size = 2
    ordering = "-id"


@pytest.fixture
def events(john):
    """Five events of a tool of their own, about one certificate; their ids newest first."""
    tool = f"pages-{uuid.uuid4().hex[:8]}"
    cert = Certificate.objects.create(name="Paged")
    for i in range(5):
        EventLogService.log(f"event {i}", cert, john, tool, "update")
    ids = [i for (i,) in sql("SELECT id FROM eventlog WHERE tool = %s ORDER BY timestamp DESC, id DESC", [tool])]
    return tool, cert, ids


def eventlog_queries(captured):
    return [q["sql"] for q in captured.captured_queries if 'FROM "eventlog"' in q["sql"]]


def test_page_number_pagination(client_john, events, paginate):
    paginate(Pages)
    tool, cert, ids = events
    with CaptureQueriesContext(connection) as captured:
        first = client_john.get("/api/eventlogs/", {"tool": tool}).json()
    assert list(first) == ["count", "next", "previous", "results"]
    assert first["count"] == 5 and first["previous"] is None
    assert first["next"] == f"http://testserver/api/eventlogs/?page=2&tool={tool}"
    assert [r["id"] for r in check_results(first["results"])] == ids[:2]
    # the count and the page in SQL: COUNT(*), then LIMIT 2
    queries = eventlog_queries(captured)
    assert len(queries) == 2 and "COUNT(*)" in queries[0] and "LIMIT 2" in queries[1], queries
    # the same count and page as the extension's eventlog_page()
    page = json.loads(sql("SELECT eventlog_page(tool => %s, page_size => 2)::text", [tool])[0][0])
    assert (first["count"], [r["id"] for r in first["results"]]) == (page["count"], [r["id"] for r in page["results"]])

    last = client_john.get("/api/eventlogs/", {"tool": tool, "page": 3}).json()
    assert [r["id"] for r in last["results"]] == ids[4:] and last["next"] is None
    assert last["previous"] == f"http://testserver/api/eventlogs/?page=2&tool={tool}"
    out_of_range = client_john.get("/api/eventlogs/", {"tool": tool, "page": 4})
    assert (out_of_range.status_code, out_of_range.json()) == (404, {"detail": "Invalid page."})

    log = client_john.get(f"/api/certificates/{cert.pk}/log/", {"page": 2}).json()
    assert log["count"] == 5 and [r["id"] for r in log["results"]] == ids[2:4]
    assert client_john.get(f"/api/certificates/{cert.pk}/log/", {"page": 9}).status_code == 404


def test_limit_offset_pagination(client_john, events, paginate):
    paginate(Limits)
    tool, cert, ids = events
    answer = client_john.get("/api/eventlogs/", {"tool": tool, "limit": 2, "offset": 3}).json()
    assert list(answer) == ["count", "next", "previous", "results"]
    assert answer["count"] == 5 and [r["id"] for r in answer["results"]] == ids[3:5] and answer["next"] is None
    assert answer["previous"] == f"http://testserver/api/eventlogs/?limit=2&offset=1&tool={tool}"
    default = client_john.get(f"/api/certificates/{cert.pk}/log/").json()
    assert default["count"] == 5 and [r["id"] for r in default["results"]] == ids[:2]
    with CaptureQueriesContext(connection) as captured:
        client_john.get("/api/eventlogs/", {"tool": tool, "limit": 1, "offset": 4})
    assert any("LIMIT 1 OFFSET 4" in q for q in eventlog_queries(captured))


def follow(client, url, params):
    seen, pages = [], 0
    answer = client.get(url, params).json()
    assert list(answer) == ["next", "previous", "results"] and answer["previous"] is None
    while True:
        pages += 1
        seen += [r["id"] for r in check_results(answer["results"])]
        if not answer["next"]:
            return seen, pages
        answer = client.get(answer["next"]).json()


def test_cursor_pagination(client_john, events, paginate):
    paginate(TimestampCursor)
    tool, cert, ids = events
    assert follow(client_john, "/api/eventlogs/", {"tool": tool}) == (ids, 3)
    paginate(IdCursor)
    assert follow(client_john, f"/api/certificates/{cert.pk}/log/", {}) == (sorted(ids, reverse=True), 3)


def test_no_pagination_is_a_plain_array_of_every_event(client_john, events, paginate):
    paginate(None)
    tool, cert, ids = events
    assert [r["id"] for r in check_results(client_john.get("/api/eventlogs/", {"tool": tool}).json())] == ids
    assert [r["id"] for r in check_results(client_john.get(f"/api/certificates/{cert.pk}/log/").json())] == ids
