"""The admin on a large log (bench/django_admin_bench.sh): migrates the test
project's database (EVENTLOG_DJANGO_DB, created empty beforehand), loads
EVENTS events as the log's owner (a year of them: 60 % about documents, 30 %
about certificates, 10 % about no table; 23 tools, 4 actions, 101 actors
with keys; coprime moduli, so that every combination occurs), rebuilds the counts, and times the admin's pages through
Django's test client: median of 5 after one warm-up, as a superuser and as
staff who may view certificates only. Prints one line per page and
`EXPLAIN` of the list's query. Timing only: nothing here passes or fails.

    python3 -m tests.admin_bench EVENTS
"""
import statistics
import sys
import time

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Permission  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from example.models import Document  # noqa: E402


def load(events):
    call_command("migrate", verbosity=0, interactive=False)
    users = get_user_model()
    boss = users.objects.create_superuser("boss", "boss@example.com", "secret")
    reader = users.objects.create_user("reader", password="secret", is_staff=True)
    for codename in ("view_eventlog", "view_certificate"):
        reader.user_permissions.add(Permission.objects.get(codename=codename))
    doc = Document.objects.create(title="The one with history")
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute("""
            INSERT INTO eventlog ("timestamp", actor, actor_id, message, object_type, object_id, tool, action,
                                  changes, object_table)
            SELECT now() - (i %% 365) * interval '1 day' - (i %% 86400) * interval '1 second',
                   'User ' || (i %% 101), (i %% 101)::text, 'event ' || i || ' of tool-' || (i %% 23),
                   CASE WHEN i %% 10 < 6 THEN 'public.example_document' WHEN i %% 10 < 9 THEN 'public.example_certificate' END,
                   CASE WHEN i %% 10 < 9 THEN (i %% 50000)::text END,
                   'tool-' || (i %% 23), (ARRAY['create', 'update', 'delete', 'review'])[i %% 4 + 1],
                   jsonb_build_object('old_value', jsonb_build_object('status', 'a'), 'new_value', jsonb_build_object('status', 'b')),
                   CASE WHEN i %% 10 < 6 THEN 'example_document'::regclass WHEN i %% 10 < 9 THEN 'example_certificate'::regclass END
            FROM generate_series(1, %s) AS i""", [events])
        cursor.execute("SELECT eventlog_counts_rebuild()")
        cursor.execute("ANALYZE eventlog")
        print(f"loaded {events} events in {time.perf_counter() - started:.1f} s")
    for i in range(30):
        Document.objects.filter(pk=doc.pk).update(title=f"v{i}")
    return boss, reader, doc


def timed(client, path):
    client.get(path)
    times = []
    for _ in range(5):
        started = time.perf_counter()
        answer = client.get(path)
        times.append(time.perf_counter() - started)
    assert answer.status_code == 200, (path, answer.status_code)
    return statistics.median(times) * 1000


def main(events):
    setup_test_environment()
    boss, reader, doc = load(events)
    log = f"/admin/{settings.EVENTLOG_APP}/eventlog/"
    year = time.gmtime().tm_year
    pages = [
        ("list, no filter", log),
        ("list, by tool", log + "?tool=tool-3"),
        ("list, by actor key", log + "?actor=7"),
        ("list, by object type", log + "?object_type=public.example_certificate"),
        ("list, two filters", log + "?tool=tool-3&action=update"),
        (f"list, date hierarchy {year}", log + f"?timestamp__year={year}"),
        ("list, page 100", log + "?p=100"),
        ("list, search messages (a scan)", log + "?q=tool-3"),
        ("an event's page", None),
        ("a document's History (30 events)", f"/admin/example/document/{doc.pk}/history/"),
    ]
    for who in (boss, reader):
        client = Client()
        client.force_login(who)
        for name, path in pages:
            if path is None:
                event = client.get(log).context["cl"].result_list[0].pk
                path = f"{log}{event}/change/"
            if who is reader and "document" in path:
                continue
            print(f"{who.username:7} {name:38} {timed(client, path):9.1f} ms")
    client = Client()
    client.force_login(reader)
    with CaptureQueriesContext(connection) as queries:
        client.get(log)
    listing = next(q["sql"] for q in queries.captured_queries if "LIMIT" in q["sql"] and 'FROM "eventlog"' in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + listing)
        print("EXPLAIN of the list's query as the restricted staff user:")
        print("\n".join("  " + row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000000)
