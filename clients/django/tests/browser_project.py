"""The server side of the browser test (test/integration/browser_admin.sh):
`python3 -m tests.browser_project setup` migrates the test project's
database (EVENTLOG_DJANGO_DB, created empty beforehand), makes its staff
users and documents, changes them through every client (the ORM as a
user, psql, the app's EventLogService.log) and prints what the browser
should find, as JSON. The server itself is Django's runserver on the same
settings."""
import io
import json
import os
import subprocess
import sys

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Permission  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from eventlog.actor import eventlog_actor  # noqa: E402
from eventlog.models import EventLog  # noqa: E402
from eventlog.services import EventLogService  # noqa: E402
from example.models import Certificate, Document  # noqa: E402

PASSWORD = "browser-secret"


def staff(username, first_name, last_name, *permissions):
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True,
                                                first_name=first_name, last_name=last_name)
    for perm in permissions:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user


def psql(statement):
    """A change made outside Django, as an operator would make it."""
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", settings.DATABASES["default"]["NAME"],
                    "-c", statement], check=True, env={**os.environ, "PGUSER": "postgres"})


def events(document, action):
    return list(EventLog.objects.filter(object_type="public.example_document", object_id=str(document.pk),
                                        action=action).order_by("id").values_list("id", flat=True))


def setup():
    call_command("migrate", verbosity=0, interactive=False, stdout=io.StringIO())
    log = settings.EVENTLOG_APP
    get_user_model().objects.create_superuser("boss", "boss@example.com", PASSWORD, first_name="Big", last_name="Boss")
    boss = get_user_model().objects.get(username="boss")
    clerk = staff("clerk", "Carl", "Clerk", f"{log}.view_eventlog", "example.view_document", "example.change_document",
                  "example.add_document", "example.delete_document", "example.view_certificate")
    staff("outsider", "Olga", "Outsider", f"{log}.view_eventlog", "example.view_certificate")

    with eventlog_actor(clerk):
        report = Document.objects.create(title="Quarterly report", status="draft", owner=clerk)
        for title in ("Meeting notes", "Budget 2026", "Travel policy"):
            Document.objects.create(title=title, owner=clerk)
    with eventlog_actor(boss):
        Document.objects.filter(pk=report.pk).update(title="Quarterly report v2")  # the older title change
    psql(f"UPDATE example_document SET status = 'review' WHERE id = {report.pk}")  # from psql: the role is the actor
    with eventlog_actor(clerk):
        Document.objects.filter(pk=report.pk).update(title="Quarterly report v3")  # the newest title change
    report.refresh_from_db()
    EventLogService.log("{doc__title} was approved by {user__full_name}.", report, boss, "approvals", "approve",
                        values_json={"doc__title": report, "user__full_name": boss})
    certificate = Certificate.objects.create(name="Certificate A")
    EventLogService.log("Item {item__name} was checked by {user__full_name}.", certificate, clerk, "example_feature",
                        "update", values_json={"item__name": certificate, "user__full_name": clerk},
                        changes={"old_value": {"status": "active"}, "new_value": {"status": "checked"}})

    updates = events(report, "update")
    return {
        "log_app": log,
        "document": report.pk,
        "certificate": certificate.pk,
        "older_title_update": updates[0],  # Quarterly report -> v2 (changed since by v3)
        "status_update": updates[1],       # draft -> review, from psql
        "newest_title_update": updates[2],  # v2 -> v3
        "approval": EventLog.objects.get(tool="approvals").pk,
        "document_events": EventLog.objects.filter(object_type="public.example_document").count(),
        "django": ".".join(map(str, django.VERSION[:3])),
        "driver": connection.Database.__name__,
    }


if __name__ == "__main__":
    if sys.argv[1:] != ["setup"]:
        sys.exit("usage: python3 -m tests.browser_project setup")
    print(json.dumps(setup()))
